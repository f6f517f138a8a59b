/**
 * `node server/dist/cli.js <command> [options]`: the commands a deployment
 * needs, from the production build with plain node (no pnpm, no tsx). Each is
 * the same module `pnpm <command>` runs from the sources.
 */
const COMMANDS: Record<string, { about: string; run: () => Promise<unknown> }> = {
  migrate: { about: 'apply new migrations', run: () => import('../../../db/src/cli/migrate.ts') },
  seed: { about: 'build the demo district 象山区 [--seed N] [--problems N] [--force]', run: () => import('../../../db/src/cli/seed.ts') },
  'user:create': { about: 'create an account (--admin --username NAME …)', run: () => import('./user-create.ts') },
  'db:backup': { about: 'back up the database <file> [--force]', run: () => import('../../../db/src/cli/backup.ts') },
  'db:restore': { about: 'restore a backup <file> [--force]', run: () => import('../../../db/src/cli/restore.ts') },
  'tiles:basemap': { about: 'build the built-in offline basemap [out.pmtiles]', run: () => import('../../../tiles/src/cli/basemap.ts') },
};

const commandName = process.argv[2];
const command = commandName ? COMMANDS[commandName] : undefined;
if (!command) {
  const asked = commandName && commandName !== '--help' && commandName !== '-h';
  if (asked) console.error(`unknown command "${commandName}"\n`);
  console.error('usage: node server/dist/cli.js <command> [options]\n');
  for (const [key, { about }] of Object.entries(COMMANDS)) console.error(`  ${key.padEnd(14)} ${about}`);
  process.exit(asked ? 2 : 0);
}
// the command reads its own options from process.argv, as when run by itself
process.argv.splice(2, 1);
await command.run();

export {};
