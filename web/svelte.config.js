/** Svelte 5 strips TypeScript types in `<script lang="ts">` by itself; runes everywhere. */
export default {
  compilerOptions: { runes: true },
};
