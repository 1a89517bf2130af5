// Runs mjml in a short-lived child process: the templates compile once per process, and mjml (tens
// of MB of modules) never counts in the memory of the process that sends. Plain JavaScript, so it
// starts without the TypeScript loader. Reads {source, filePath, includePath} as JSON on stdin;
// writes {html, errors} as JSON on stdout.
import mjml2html from 'mjml';

let input = '';
process.stdin.setEncoding('utf8');
for await (const chunk of process.stdin) input += chunk;
const { source, filePath, includePath } = JSON.parse(input);
let result;
try {
  const { html, errors } = await mjml2html(source, {
    fonts: {}, // system fonts only: no <link> to a font CDN
    keepComments: true, // the block markers are comments
    validationLevel: 'strict',
    filePath,
    ignoreIncludes: false, // emails/partials: the look and the header every email shares
    includePath,
  });
  result = { html, errors: errors.map((e) => e.formattedMessage) };
} catch (err) {
  result = { html: '', errors: [err instanceof Error ? err.message : String(err)] };
}
process.stdout.write(JSON.stringify(result));
