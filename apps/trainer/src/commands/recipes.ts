import { MODEL_KINDS, MODELS } from '@digitkit/model';
import { defaultRecipe } from '@digitkit/train';
import { recipeTable } from '../format.js';
import { printJson } from '../runtime.js';

/** Every model's default recipe, from the model table: no backend, no data. */
export async function recipesCommand(flags: { json?: boolean }): Promise<void> {
  const recipes = MODEL_KINDS.map((model) => ({ model, description: MODELS[model].description, recipe: defaultRecipe(model) }));
  if (flags.json) {
    printJson({ recipes });
    return;
  }
  console.log(recipeTable(recipes));
  for (const { model, description } of recipes) console.log(`  ${model}: ${description}`);
  console.log('Change any of them with the train flags (--epochs, --batch-size, --lr, --optimizer, --schedule, --no-augment, --seed).');
}
