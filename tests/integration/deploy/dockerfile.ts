// The Dockerfile and .dockerignore as the image-steps test reads them: the stages with their plain
// COPY, ENV, RUN, USER, HEALTHCHECK, STOPSIGNAL and CMD lines (dockerfile-ast, the parser of VS Code's
// Dockerfile support), and the build context as Docker filters it (@balena/dockerignore, Docker's
// own matching rules, as dockerode uses them).
import { readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import dockerignoreModule from '@balena/dockerignore';
import { DockerfileParser } from 'dockerfile-ast';

// (a CommonJS module whose types declare a default export: under NodeNext the function is either)
const dockerignore = ((dockerignoreModule as unknown as { default?: typeof dockerignoreModule }).default ??
  dockerignoreModule) as unknown as typeof dockerignoreModule.default;

export type Step =
  | { kind: 'COPY'; from: string | null; sources: string[]; dest: string }
  | { kind: 'ENV'; values: Record<string, string> }
  | { kind: 'RUN'; command: string }
  | { kind: 'USER'; user: string }
  | { kind: 'WORKDIR'; dir: string };

export interface Stage {
  name: string | null;
  image: string;
  steps: Step[];
}

export interface ImageFile {
  stages: Stage[];
  healthcheck: { command: string[]; flags: Record<string, string> } | null;
  stopSignal: string | null;
  cmd: string[];
}

export function readDockerfile(file: string): ImageFile {
  const parsed = DockerfileParser.parse(readFileSync(file, 'utf8'));
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  const out: ImageFile = { stages, healthcheck: null, stopSignal: null, cmd: [] };
  for (const instruction of parsed.getInstructions()) {
    const keyword = instruction.getKeyword();
    const words = instruction.getArguments().map((a) => a.getValue());
    const stage = stages.at(-1);
    switch (keyword) {
      case 'ARG': {
        const [name, value] = words[0]!.split('=');
        args.set(name!, value ?? '');
        break;
      }
      case 'FROM':
        stages.push({ image: words[0]!.replace(/\$\{(\w+)\}/g, (_, n: string) => args.get(n) ?? ''), name: words[2] ?? null, steps: [] });
        break;
      case 'WORKDIR':
        stage!.steps.push({ kind: 'WORKDIR', dir: words[0]! });
        break;
      case 'ENV':
        stage!.steps.push({ kind: 'ENV', values: Object.fromEntries(words.map((w) => w.split(/=(.*)/s).slice(0, 2) as [string, string])) });
        break;
      case 'COPY': {
        const from = (instruction as unknown as { getFlags(): Array<{ getName(): string; getValue(): string | null }> })
          .getFlags()
          .find((f) => f.getName() === 'from');
        stage!.steps.push({ kind: 'COPY', from: from?.getValue() ?? null, sources: words.slice(0, -1), dest: words.at(-1)! });
        break;
      }
      case 'RUN':
        stage!.steps.push({ kind: 'RUN', command: instruction.getArgumentsContent()!.replace(/\\\n\s*/g, ' ') });
        break;
      case 'USER':
        stage!.steps.push({ kind: 'USER', user: words[0]! });
        break;
      case 'HEALTHCHECK': {
        const content = instruction.getArgumentsContent()!.replace(/\\\n\s*/g, ' ');
        const flags = Object.fromEntries(
          (instruction as unknown as { getFlags(): Array<{ getName(): string; getValue(): string }> }).getFlags().map((f) => [f.getName(), f.getValue()]),
        );
        out.healthcheck = { command: JSON.parse(content.replace(/^.*?\bCMD\s+/s, '')) as string[], flags };
        break;
      }
      case 'STOPSIGNAL':
        out.stopSignal = words[0]!;
        break;
      case 'CMD':
        out.cmd = JSON.parse(instruction.getArgumentsContent()!) as string[];
        break;
      default:
        // VOLUME, EXPOSE: nothing to run
        break;
    }
  }
  return out;
}

/** Every file of the build context, as paths relative to it (what `docker build .` would send). */
export async function buildContext(root: string): Promise<Set<string>> {
  const ignore = dockerignore({ ignorecase: false }).add(readFileSync(path.join(root, '.dockerignore'), 'utf8'));
  const negated = readFileSync(path.join(root, '.dockerignore'), 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('!'))
    .map((l) => l.slice(1).trim());
  const files = new Set<string>();
  const walk = async (dir: string) => {
    for (const entry of await readdir(path.join(root, dir), { withFileTypes: true })) {
      const rel = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        // a folder left out with nothing under it let back in is not walked (node_modules, .git)
        if (ignore.ignores(rel) && !negated.some((n) => n.startsWith(`${rel}/`))) continue;
        await walk(rel);
      } else if (!ignore.ignores(rel)) {
        files.add(rel);
      }
    }
  };
  await walk('');
  return files;
}
