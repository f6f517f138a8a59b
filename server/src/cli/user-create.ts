/**
 * `pnpm user:create --admin --username NAME [--name 显示名] [--role ROLE] [--scope CODE]`
 * Creates an account from the command line: the first admin of a new
 * installation, or a way back in. The password is asked for twice on a
 * terminal, or read from the first line of standard input when piped.
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { migrateToLatest, openForCommand } from '@civgrid/db';
import { createAccount } from '../auth/first-admin.ts';

const ROLES = ['admin', 'planner', 'supervisor', 'inspector', 'viewer'] as const;
type CliRole = (typeof ROLES)[number];

function usage(message: string): never {
  console.error(`${message}\nUsage: pnpm user:create --admin --username NAME [--name DISPLAY] [--scope TERRITORY_CODE]\n       pnpm user:create --role planner --username NAME --scope 450304001`);
  process.exit(2);
}

async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    const rl = createInterface({ input: process.stdin });
    for await (const line of rl) return line;
    return '';
  }
  const ask = (prompt: string) =>
    new Promise<string>((resolve) => {
      const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
      // Echo nothing while the password is typed.
      (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
        if (s.startsWith(prompt)) process.stdout.write(prompt);
      };
      rl.question(prompt, (answer) => {
        rl.close();
        process.stdout.write('\n');
        resolve(answer);
      });
    });
  const first = await ask('Password: ');
  const second = await ask('Again: ');
  if (first !== second) usage('The two passwords differ.');
  return first;
}

const { values } = parseArgs({
  options: {
    admin: { type: 'boolean', default: false },
    role: { type: 'string' },
    username: { type: 'string' },
    name: { type: 'string' },
    scope: { type: 'string' },
  },
});
const role = (values.admin ? 'admin' : values.role) as CliRole | undefined;
if (!role || !ROLES.includes(role)) usage(`Give --admin or --role ${ROLES.join('|')} (handlers need an organisation: create them in the web).`);
if (!values.username) usage('Give --username.');
if (values.scope !== undefined && !/^[0-9]{6}([0-9]{3}){0,2}$/.test(values.scope)) usage('--scope is a district (6 digits), street (9) or community (12) code.');

const password = await readPassword();
const database = await openForCommand(
  'user:create',
  { url: process.env.DATABASE_URL, dataDir: process.env.CIVGRID_DATA_DIR ?? './data' },
  'To add the account while the server runs, sign in to it as an admin and create it under 用户管理 (Users, in the account menu) or with POST /api/users; otherwise stop the server first and run this again.',
);
try {
  await migrateToLatest(database.db as never);
  const id = await createAccount(database.db, { username: values.username, displayName: values.name, password, role, scopeCode: values.scope }, 'cli');
  console.log(`Created ${role} "${values.username}" (id ${id}).`);
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
} finally {
  await database.close();
}
