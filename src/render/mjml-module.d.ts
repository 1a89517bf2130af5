// mjml 5 ships no types. Only what src/render/mjml.ts uses (see node_modules/mjml-core/lib/index.js).
declare module 'mjml' {
  export interface MjmlError {
    line: number;
    message: string;
    tagName: string;
    formattedMessage: string;
  }
  export interface MjmlOptions {
    /** font name → stylesheet URL, added as <link> when used; {} keeps the output offline */
    fonts?: Record<string, string>;
    keepComments?: boolean;
    validationLevel?: 'strict' | 'soft' | 'skip';
    /** the template's path: mj-include paths are relative to it */
    filePath?: string;
    /** true (the default in mjml 5) leaves mj-include out */
    ignoreIncludes?: boolean;
    /** the folders mj-include may read from */
    includePath?: string | string[];
  }
  /** Asynchronous since mjml 5. */
  export default function mjml2html(input: string, options?: MjmlOptions): Promise<{ html: string; errors: MjmlError[] }>;
}
