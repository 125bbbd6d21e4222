// The torrent list: polled from shoald about once a second, filtered, searched, sorted, and
// the actions on the selected torrents.
import { rpc } from './rpc.js';
import {
  el, showError, clearMessage, formatSize, formatRate, formatPercent, formatEta, formatRatio, statusText,
} from './ui.js';
import { setupDialogs } from './dialogs.js';
import { setupSettings } from './settings.js';
import { openDetails, refreshDetails, closeDetails, shownTorrent } from './details.js';

const LIST_FIELDS = [
  'id', 'name', 'status', 'error', 'errorString', 'percentDone', 'metadataPercentComplete', 'totalSize',
  'sizeWhenDone', 'rateDownload', 'rateUpload', 'peersConnected', 'eta', 'uploadRatio',
];
const POLL_MS = 1000;
// Every so many polls the whole list again: "recently-active" tells the ids removed in the
// last minute, which a page that was asleep longer (a background tab) has missed.
const POLLS_PER_FULL_LIST = 30;
const STATUS = { stopped: 0, downloadWait: 3, download: 4, seedWait: 5, seed: 6 };  // Transmission's

const torrents = new Map();  // id → the torrent's fields, as last told
const rows = new Map();      // id → its row's elements
const selected = new Set();  // ids
const view = { filter: 'all', search: '', sortKey: 'name', ascending: true };

const tbody = document.getElementById('rows');
const empty = document.getElementById('empty');
const selectAll = document.getElementById('select-all');
const totals = document.getElementById('totals');
const actionButtons = ['start', 'stop', 'verify', 'remove'].map((name) => document.getElementById(`action-${name}`));

function shownByFilter(t) {
  switch (view.filter) {
    case 'downloading': return !t.error && (t.status === STATUS.download || t.status === STATUS.downloadWait);
    case 'seeding': return !t.error && (t.status === STATUS.seed || t.status === STATUS.seedWait);
    case 'stopped': return !t.error && t.status === STATUS.stopped;
    case 'error': return Boolean(t.error);
    default: return true;
  }
}

function shown(t) {
  return shownByFilter(t) && (!view.search || String(t.name ?? '').toLowerCase().includes(view.search));
}

function compare(a, b) {
  const x = a[view.sortKey];
  const y = b[view.sortKey];
  let order;
  if (view.sortKey === 'status') order = statusText(a).localeCompare(statusText(b));
  else if (typeof x === 'string' || typeof y === 'string') {
    order = String(x ?? '').localeCompare(String(y ?? ''), undefined, { numeric: true, sensitivity: 'base' });
  } else order = (x ?? -Infinity) - (y ?? -Infinity);
  if (!order) order = a.id - b.id;  // equal, or nothing to compare
  return view.ascending ? order : -order;
}

function makeRow(id) {
  const checkbox = el('input', { attrs: { type: 'checkbox', 'aria-label': 'Select' } });
  checkbox.addEventListener('change', () => {
    if (checkbox.checked) selected.add(id);
    else selected.delete(id);
    updateSelection();
  });
  const cell = (name, label) => el('td', { class: `col-${name}`, attrs: label ? { 'data-label': label } : {} });
  const cells = {
    select: el('td', { class: 'col-select' }, checkbox),
    name: cell('name'),
    size: cell('size', 'Size'),
    progress: cell('progress'),
    status: cell('status', 'Status'),
    down: cell('down', 'Down'),
    up: cell('up', 'Up'),
    peers: cell('peers', 'Peers'),
    eta: cell('eta', 'ETA'),
    ratio: cell('ratio', 'Ratio'),
  };
  const bar = el('progress', { attrs: { max: 1, value: 0 } });
  const percent = el('span', { class: 'percent' });
  cells.progress.append(bar, percent);
  const tr = el('tr', { attrs: { 'data-id': id } }, ...Object.values(cells));
  tr.addEventListener('click', (event) => {
    if (event.target !== checkbox && !cells.select.contains(event.target)) openDetails(id);
  });
  return { tr, cells, checkbox, bar, percent };
}

function updateRow(row, t) {
  const { cells } = row;
  const name = String(t.name ?? '');
  if (cells.name.textContent !== name) cells.name.textContent = name;
  cells.size.textContent = formatSize(t.sizeWhenDone ?? t.totalSize);
  row.bar.value = Math.max(0, Math.min(1, Number(t.percentDone) || 0));
  row.bar.className = t.status === STATUS.stopped ? 'stopped' : (t.percentDone >= 1 ? 'done' : '');
  row.percent.textContent = formatPercent(t.percentDone);
  cells.status.textContent = statusText(t);
  cells.status.classList.toggle('status-error', Boolean(t.error));
  cells.down.textContent = formatRate(t.rateDownload);
  cells.up.textContent = formatRate(t.rateUpload);
  cells.peers.textContent = typeof t.peersConnected === 'number' ? String(t.peersConnected) : '–';
  cells.eta.textContent = formatEta(t.eta);
  cells.ratio.textContent = formatRatio(t.uploadRatio);
  row.tr.classList.toggle('shown', shownTorrent() === t.id);
}

function render() {
  for (const [id, row] of rows) {
    if (!torrents.has(id)) {
      row.tr.remove();
      rows.delete(id);
    }
  }
  for (const id of selected) if (!torrents.has(id)) selected.delete(id);
  const list = [...torrents.values()].filter(shown).sort(compare);
  const visible = new Set(list.map((t) => t.id));
  for (const [id, row] of rows) if (!visible.has(id)) row.tr.remove();
  for (const t of list) {
    if (!rows.has(t.id)) rows.set(t.id, makeRow(t.id));
    const row = rows.get(t.id);
    updateRow(row, t);
    tbody.append(row.tr);  // moves it into its sorted place
  }
  empty.hidden = list.length > 0;
  empty.textContent = torrents.size === 0 ? 'No torrents yet: add one with “Add torrent”.' : 'No torrent matches.';
  let down = 0;
  let up = 0;
  for (const t of torrents.values()) {
    down += Number(t.rateDownload) || 0;
    up += Number(t.rateUpload) || 0;
  }
  totals.textContent = `${torrents.size} torrent${torrents.size === 1 ? '' : 's'} · ↓ ${formatRate(down)} · ↑ ${formatRate(up)}`;
  updateSelection();
}

function visibleIds() {
  return [...rows.keys()].filter((id) => rows.get(id).tr.isConnected);
}

function updateSelection() {
  for (const [id, row] of rows) {
    row.checkbox.checked = selected.has(id);
    row.tr.classList.toggle('selected', selected.has(id));
  }
  const ids = visibleIds();
  selectAll.checked = ids.length > 0 && ids.every((id) => selected.has(id));
  selectAll.indeterminate = !selectAll.checked && ids.some((id) => selected.has(id));
  for (const button of actionButtons) button.disabled = selected.size === 0;
}

// Merges torrent-get's answer: a full list replaces, "recently-active" adds, changes and drops.
async function refresh(full) {
  const args = { fields: LIST_FIELDS };
  if (!full) args.ids = 'recently-active';
  const answer = await rpc('torrent-get', args);
  if (!Array.isArray(answer.torrents)) throw new Error('torrent-get: the answer has no torrent list');
  if (full) torrents.clear();
  for (const t of answer.torrents) {
    if (t && typeof t.id === 'number') torrents.set(t.id, { ...torrents.get(t.id), ...t });
  }
  for (const id of Array.isArray(answer.removed) ? answer.removed : []) torrents.delete(id);
  if (shownTorrent() !== null && !torrents.has(shownTorrent())) closeDetails();
  render();
}

let fullNext = true;
let polls = 0;

async function poll() {
  polls += 1;
  try {
    await refresh(fullNext || polls % POLLS_PER_FULL_LIST === 0);
    fullNext = false;
    clearMessage('poll');
    if (shownTorrent() !== null) await refreshDetails();
  } catch (error) {
    fullNext = true;  // whatever was missed while failing
    showError(error, 'poll');
  }
  setTimeout(poll, POLL_MS);
}

// After a change made here: the whole list again, at once.
async function reload() {
  try {
    await refresh(true);
  } catch (error) {
    showError(error);
  }
}

async function act(method) {
  const ids = [...selected];
  if (ids.length === 0) return;
  try {
    await rpc(method, { ids });
    await refresh(false);
  } catch (error) {
    showError(error);
  }
}

function selectedTorrents() {
  return [...selected].map((id) => torrents.get(id)).filter(Boolean);
}

function setupToolbar() {
  document.getElementById('filter').addEventListener('change', (event) => {
    view.filter = event.target.value;
    render();
  });
  document.getElementById('search').addEventListener('input', (event) => {
    view.search = event.target.value.trim().toLowerCase();
    render();
  });
  document.getElementById('action-start').addEventListener('click', () => act('torrent-start'));
  document.getElementById('action-stop').addEventListener('click', () => act('torrent-stop'));
  document.getElementById('action-verify').addEventListener('click', () => act('torrent-verify'));
  selectAll.addEventListener('change', () => {
    for (const id of visibleIds()) {
      if (selectAll.checked) selected.add(id);
      else selected.delete(id);
    }
    updateSelection();
  });
  for (const th of document.querySelectorAll('th[data-sort]')) {
    th.querySelector('button').addEventListener('click', () => {
      const key = th.dataset.sort;
      view.ascending = view.sortKey === key ? !view.ascending : true;
      view.sortKey = key;
      for (const other of document.querySelectorAll('th[data-sort]')) other.removeAttribute('aria-sort');
      th.setAttribute('aria-sort', view.ascending ? 'ascending' : 'descending');
      render();
    });
  }
  document.querySelector('th[data-sort="name"]').setAttribute('aria-sort', 'ascending');
}

setupToolbar();
setupDialogs({ selectedTorrents, afterChange: reload, onRemoved: (ids) => ids.forEach((id) => selected.delete(id)) });
setupSettings();
poll();
