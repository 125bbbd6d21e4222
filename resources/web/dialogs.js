// The dialogs: adding torrents (files, a URL or a magnet link) and removing the selected ones;
// settings.js has the session's settings.
import { openDetails } from './details.js';
import { rpc } from './rpc.js';
import { closeDialog, showError, showMessage } from './ui.js';

// shoald takes bodies up to 10 MiB; base64 makes a file a third larger.
const MAX_TORRENT_FILE_BYTES = 7 * 1024 * 1024;
const NAMES_LISTED = 5;

function readBase64(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(new Error(`cannot read ${file.name}`));
    reader.readAsDataURL(file);
  });
}

function setupAdd(afterChange) {
  const dialog = document.getElementById('add-dialog');
  const form = document.getElementById('add-form');
  const files = document.getElementById('add-files');
  const link = document.getElementById('add-link');
  const dir = document.getElementById('add-dir');
  const paused = document.getElementById('add-paused');
  const choose = document.getElementById('add-choose');
  const error = document.getElementById('add-error');
  const submit = document.getElementById('add-submit');

  document.getElementById('open-add').addEventListener('click', async () => {
    form.reset();
    error.hidden = true;
    dialog.showModal();
    try {
      const session = await rpc('session-get', { fields: ['download-dir'] });
      if (!dir.value && typeof session['download-dir'] === 'string') dir.value = session['download-dir'];
    } catch (failure) {
      showError(failure);
    }
  });
  document.getElementById('add-cancel').addEventListener('click', () => closeDialog(dialog));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const chosen = [...files.files];
    const address = link.value.trim();
    const fail = (message) => {
      error.textContent = message;
      error.hidden = false;
    };
    if (chosen.length === 0 && !address) return fail('Choose a torrent file or give a URL or magnet link.');
    const tooLarge = chosen.find((f) => f.size > MAX_TORRENT_FILE_BYTES);
    if (tooLarge) return fail(`${tooLarge.name} is larger than 7 MiB.`);
    const choosing = choose.checked && chosen.length + (address ? 1 : 0) === 1;
    if (choose.checked && !choosing) return fail('Files can be chosen for one torrent at a time.');
    const common = { paused: paused.checked || choosing };
    if (dir.value.trim()) common['download-dir'] = dir.value.trim();
    submit.disabled = true;
    const problems = [];
    const duplicates = [];
    let added = null;
    const add = async (what, args) => {
      try {
        const answer = await rpc('torrent-add', { ...common, ...args });
        if (answer['torrent-duplicate']) duplicates.push(answer['torrent-duplicate'].name || what);
        if (answer['torrent-added']) added = answer['torrent-added'].id;
      } catch (failure) {
        problems.push(`${what}: ${failure.message}`);
      }
    };
    for (const file of chosen) {
      try {
        await add(file.name, { metainfo: await readBase64(file) });
      } catch (failure) {
        problems.push(failure.message);
      }
    }
    if (address) await add(address.length > 80 ? `${address.slice(0, 80)}…` : address, { filename: address });
    submit.disabled = false;
    await afterChange();
    if (problems.length > 0) return fail(problems.join('\n'));
    closeDialog(dialog);
    if (duplicates.length > 0) showMessage(`Already added: ${duplicates.join(', ')}`, { info: true });
    if (choosing && added !== null) {
      await openDetails(added, 'files');
      showMessage('Untick the files you do not want, then start the torrent.', { info: true });
    }
  });
}

function setupRemove({ selectedTorrents, afterChange, onRemoved }) {
  const dialog = document.getElementById('remove-dialog');
  const what = document.getElementById('remove-what');
  const withData = document.getElementById('remove-data');
  let ids = [];

  document.getElementById('action-remove').addEventListener('click', () => {
    const chosen = selectedTorrents();
    if (chosen.length === 0) return;
    ids = chosen.map((t) => t.id);
    const names = chosen.slice(0, NAMES_LISTED).map((t) => `“${t.name}”`).join(', ');
    const more = chosen.length > NAMES_LISTED ? ` and ${chosen.length - NAMES_LISTED} more` : '';
    what.textContent = `Remove ${names}${more} from the list?`;
    withData.checked = false;
    dialog.showModal();
  });
  document.getElementById('remove-cancel').addEventListener('click', () => closeDialog(dialog));
  document.getElementById('remove-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    closeDialog(dialog);
    try {
      await rpc('torrent-remove', { ids, 'delete-local-data': withData.checked });
      onRemoved(ids);
    } catch (failure) {
      showError(failure);
    }
    await afterChange();
  });
}

// `selectedTorrents()` gives the selected torrents; `afterChange()` reloads the list;
// `onRemoved(ids)` forgets removed torrents.
export function setupDialogs({ selectedTorrents, afterChange, onRemoved }) {
  setupAdd(afterChange);
  setupRemove({ selectedTorrents, afterChange, onRemoved });
}
