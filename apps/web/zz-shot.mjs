import { launchChromium, serveStatic, openApp, drawWithMouse, polyline } from './scripts/harness.mjs';
const server = await serveStatic();
const chromium = await launchChromium();
for (const [name, viewport] of [['desk', { width: 1180, height: 900 }], ['phone', { width: 390, height: 844 }]]) {
  const { page } = await openApp(chromium.context, server.url, { viewport });
  await page.screenshot({ path: `/tmp/web-${name}-0.png`, fullPage: true });
  // a "12"
  const r = await drawWithMouse(page, [polyline([[0.25, 0.3], [0.3, 0.25], [0.3, 0.75]]), polyline([[0.5, 0.35], [0.6, 0.25], [0.72, 0.35], [0.5, 0.75], [0.75, 0.75]])]);
  console.log(name, JSON.stringify(r));
  await page.screenshot({ path: `/tmp/web-${name}-1.png`, fullPage: true });
}
await chromium.close(); await server.close();
