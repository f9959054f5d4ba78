/// <reference types="vite/client" />

/** The model kinds shipped in public/models/ at build time (see vite.config.ts). */
declare const __DIGITKIT_MODELS__: ('mlp' | 'cnn')[];
