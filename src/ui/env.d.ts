/// <reference types="vite-plugin-pwa/react" />

interface ImportMetaEnv {
  /** The hosted lab's address: copied links point there (src/spec/publicUrl.ts). */
  readonly VITE_PUBLIC_URL?: string;
}
