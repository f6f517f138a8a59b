import { mount } from 'svelte';
import CitizenPage from './components/citizen/CitizenPage.svelte';
import './app.css';

/** 你拍我改, the public citizen page (/report/): no account, none of the staff app. */
const target = document.getElementById('app');
if (!target) throw new Error('#app is missing from report/index.html');

export default mount(CitizenPage, { target });
