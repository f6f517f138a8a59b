import { mount } from 'svelte';
import FieldRoot from './field/FieldRoot.svelte';
import './app.css';

/** 网格巡查, the inspectors' field app (/field/): installable, works offline from IndexedDB. */
const target = document.getElementById('app');
if (!target) throw new Error('#app is missing from field/index.html');

// the service worker (built by vite-plugin-pwa) keeps the app's shell, so /field/ opens offline
if (import.meta.env.PROD && 'serviceWorker' in navigator) {
  void navigator.serviceWorker.register('/field/sw.js', { scope: '/field/' }).catch((error: unknown) => {
    console.warn('the field app could not install its service worker', error);
  });
}

export default mount(FieldRoot, { target });
