// The details panel of one torrent: general figures and its own speed limits, files (wanted
// and priority), peers and trackers. Fields that shoald does not report are "not available".
import { rpc } from './rpc.js';
import {
  el, showError, formatSize, formatRate, formatPercent, formatRatio, formatDate, statusText,
} from './ui.js';

const DETAIL_FIELDS = [
  'id', 'name', 'status', 'error', 'errorString', 'percentDone', 'metadataPercentComplete', 'totalSize',
  'sizeWhenDone', 'leftUntilDone', 'downloadedEver', 'uploadedEver', 'uploadRatio', 'rateDownload',
  'rateUpload', 'peersConnected', 'downloadDir', 'addedDate', 'doneDate', 'pieceCount', 'pieceSize',
  'hashString', 'isPrivate', 'magnetLink', 'files', 'fileStats', 'peers', 'trackerStats',
  'downloadLimit', 'downloadLimited', 'uploadLimit', 'uploadLimited', 'peer-limit', 'labels',
  'seedRatioMode', 'seedRatioLimit', 'seedIdleMode', 'seedIdleLimit',
];
const SEED_MODES = ['0', '1', '2'];
const MAX_SEED_RATIO = 1000000;
const MAX_IDLE_MINUTES = 1000000;
const MAX_LIMIT_KBPS = 10000000;
const MAX_PEER_LIMIT = 65535;
const PRIORITIES = [['1', 'High'], ['0', 'Normal'], ['-1', 'Low']];

const panel = document.getElementById('details');
const title = document.getElementById('details-name');
const figures = document.getElementById('general-figures');
const limitsForm = document.getElementById('torrent-limits');
const limitsMissing = document.getElementById('torrent-limits-missing');
const tabButtons = [...panel.querySelectorAll('[data-tab]')];
const tabs = {
  general: document.getElementById('tab-general'),
  files: document.getElementById('tab-files'),
  peers: document.getElementById('tab-peers'),
  trackers: document.getElementById('tab-trackers'),
};

let shown = null;          // the torrent's id, or null when the panel is closed
let activeTab = 'general';
let limitsFilledFor = null;
let fileRows = [];         // the files tab's rows, by file index
let fileRowsKey = '';      // the torrent and file count they were built for

export function shownTorrent() {
  return shown;
}

// Opens the panel on torrent `id`, at `tab` ('general', 'files', 'peers', 'trackers') if given.
export async function openDetails(id, tab) {
  if (tab && tabs[tab]) showTab(tab);
  shown = id;
  document.body.classList.add('with-details');
  limitsFilledFor = null;
  fileRowsKey = '';
  title.textContent = '';
  panel.hidden = false;
  try {
    await refreshDetails();
  } catch (error) {
    showError(error);
  }
}

export function closeDetails() {
  shown = null;
  panel.hidden = true;
  document.body.classList.remove('with-details');
}

export async function refreshDetails() {
  const id = shown;
  if (id === null) return;
  const answer = await rpc('torrent-get', { ids: [id], fields: DETAIL_FIELDS });
  if (shown !== id) return;
  const torrent = Array.isArray(answer.torrents) ? answer.torrents.find((t) => t && t.id === id) : undefined;
  if (!torrent) return closeDetails();
  title.textContent = String(torrent.name ?? '');
  if (activeTab === 'general') renderGeneral(torrent);
  if (activeTab === 'files') renderFiles(torrent);
  if (activeTab === 'peers') renderPeers(torrent);
  if (activeTab === 'trackers') renderTrackers(torrent);
}

function notAvailable(what) {
  return el('p', { class: 'missing', text: `${what}: not available` });
}

function figure(name, value) {
  return [el('dt', { text: name }), el('dd', { text: value })];
}

function renderGeneral(t) {
  const pieces = typeof t.pieceCount === 'number' && t.pieceCount > 0
    ? `${t.pieceCount} × ${formatSize(t.pieceSize)}` : '–';
  figures.replaceChildren(
    ...figure('Status', statusText(t)),
    ...figure('Have', `${formatPercent(t.percentDone)} of ${formatSize(t.sizeWhenDone)}`),
    ...figure('Total size', formatSize(t.totalSize)),
    ...figure('Downloaded', formatSize(t.downloadedEver)),
    ...figure('Uploaded', formatSize(t.uploadedEver)),
    ...figure('Ratio', formatRatio(t.uploadRatio)),
    ...figure('Speed', `↓ ${formatRate(t.rateDownload)} · ↑ ${formatRate(t.rateUpload)}`),
    ...figure('Peers', typeof t.peersConnected === 'number' ? String(t.peersConnected) : '–'),
    ...figure('Folder', t.downloadDir ?? '–'),
    ...figure('Added', formatDate(t.addedDate)),
    ...figure('Completed', formatDate(t.doneDate)),
    ...figure('Pieces', pieces),
    ...figure('Private', t.isPrivate ? 'yes' : 'no'),
    ...figure('Info hash', t.hashString ?? '–'),
    ...figure('Magnet link', t.magnetLink || '–'),
    ...figure('Labels', Array.isArray(t.labels) && t.labels.length ? t.labels.join(', ') : '–'),
  );
  const hasLimits = typeof t.downloadLimit === 'number' || typeof t.uploadLimit === 'number';
  limitsForm.hidden = !hasLimits;
  limitsMissing.hidden = hasLimits;
  if (hasLimits && limitsFilledFor !== t.id) {
    limitsFilledFor = t.id;
    for (const name of ['downloadLimited', 'uploadLimited']) limitsForm.elements[name].checked = Boolean(t[name]);
    for (const name of ['downloadLimit', 'uploadLimit', 'peer-limit', 'seedRatioLimit', 'seedIdleLimit']) {
      limitsForm.elements[name].value = typeof t[name] === 'number' ? t[name] : '';
    }
    for (const name of ['seedRatioMode', 'seedIdleMode']) {
      limitsForm.elements[name].value = SEED_MODES.includes(String(t[name])) ? String(t[name]) : '0';
    }
  }
}

limitsForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (shown === null) return;
  const changes = { ids: [shown] };
  for (const name of ['downloadLimited', 'uploadLimited']) changes[name] = limitsForm.elements[name].checked;
  for (const name of ['downloadLimit', 'uploadLimit']) {
    const value = Number(limitsForm.elements[name].value.trim() || '0');
    if (!Number.isInteger(value) || value < 0 || value > MAX_LIMIT_KBPS) {
      return showError(`A limit is a whole number of kB/s from 0 to ${MAX_LIMIT_KBPS}.`);
    }
    changes[name] = value;
  }
  const peers = limitsForm.elements['peer-limit'].value.trim();
  if (peers !== '') {
    const value = Number(peers);
    if (!Number.isInteger(value) || value < 1 || value > MAX_PEER_LIMIT) {
      return showError(`The peer limit is a whole number from 1 to ${MAX_PEER_LIMIT}.`);
    }
    changes['peer-limit'] = value;
  }
  changes.seedRatioMode = Number(limitsForm.elements.seedRatioMode.value);
  changes.seedIdleMode = Number(limitsForm.elements.seedIdleMode.value);
  const ratio = limitsForm.elements.seedRatioLimit.value.trim();
  if (ratio !== '') {
    const value = Number(ratio);
    if (!Number.isFinite(value) || value < 0 || value > MAX_SEED_RATIO) {
      return showError(`A seed ratio is a number from 0 to ${MAX_SEED_RATIO}.`);
    }
    changes.seedRatioLimit = value;
  }
  const idle = limitsForm.elements.seedIdleLimit.value.trim();
  if (idle !== '') {
    const value = Number(idle);
    if (!Number.isInteger(value) || value < 0 || value > MAX_IDLE_MINUTES) {
      return showError(`An idle limit is a whole number of minutes from 0 to ${MAX_IDLE_MINUTES}.`);
    }
    changes.seedIdleLimit = value;
  }
  try {
    await rpc('torrent-set', changes);
    limitsFilledFor = null;
    await refreshDetails();
  } catch (error) {
    showError(error);
  }
});

// Sends one torrent-set change for one file, then shows what shoald says.
async function setFile(control, args) {
  control.dataset.pending = 'yes';
  try {
    await rpc('torrent-set', { ids: [shown], ...args });
  } catch (error) {
    showError(error);
  } finally {
    delete control.dataset.pending;
  }
  try {
    await refreshDetails();
  } catch (error) {
    showError(error);
  }
}

function makeFileRow(index) {
  const wanted = el('input', { attrs: { type: 'checkbox', 'aria-label': 'Download this file' } });
  wanted.addEventListener('change', () => setFile(wanted, { [wanted.checked ? 'files-wanted' : 'files-unwanted']: [index] }));
  const priority = el('select', { attrs: { 'aria-label': 'Priority' } },
    ...PRIORITIES.map(([value, label]) => el('option', { text: label, attrs: { value } })));
  const name = { '1': 'priority-high', '0': 'priority-normal', '-1': 'priority-low' };
  priority.addEventListener('change', () => setFile(priority, { [name[priority.value]]: [index] }));
  const cells = {
    wanted: el('td', {}, wanted),
    name: el('td', { class: 'name' }),
    size: el('td'),
    done: el('td'),
    priority: el('td', {}, priority),
  };
  return { tr: el('tr', {}, ...Object.values(cells)), cells, wanted, priority };
}

function renderFiles(t) {
  if (!Array.isArray(t.files)) {
    fileRowsKey = '';
    return tabs.files.replaceChildren(notAvailable('Files'));
  }
  const stats = Array.isArray(t.fileStats) && t.fileStats.length === t.files.length ? t.fileStats : null;
  const key = `${t.id}:${t.files.length}:${stats !== null}`;
  if (key !== fileRowsKey) {
    fileRowsKey = key;
    fileRows = t.files.map((_, index) => makeFileRow(index));
    const head = el('tr', {}, ...['Get', 'Name', 'Size', 'Done', 'Priority'].map((h) => el('th', { text: h })));
    const list = el('table', { class: 'list' }, el('thead', {}, head), el('tbody', {}, ...fileRows.map((r) => r.tr)));
    tabs.files.replaceChildren(...(stats ? [] : [notAvailable('Wanted and priority')]), list);
  }
  t.files.forEach((file, index) => {
    const row = fileRows[index];
    row.cells.name.textContent = String(file?.name ?? '');
    row.cells.size.textContent = formatSize(file?.length);
    row.cells.done.textContent = file?.length > 0 ? formatPercent(file.bytesCompleted / file.length) : '–';
    const stat = stats?.[index];
    row.wanted.disabled = !stat;
    row.priority.disabled = !stat;
    if (!stat) return;
    if (!row.wanted.dataset.pending) row.wanted.checked = Boolean(stat.wanted);
    const priority = String(Math.max(-1, Math.min(1, Number(stat.priority) || 0)));
    if (!row.priority.dataset.pending && row.priority.value !== priority) row.priority.value = priority;
  });
}

function table(headings, rows) {
  return el('table', { class: 'list' },
    el('thead', {}, el('tr', {}, ...headings.map((h) => el('th', { text: h })))),
    el('tbody', {}, ...rows.map((cells) => el('tr', {}, ...cells.map((c) => el('td', { text: c }))))));
}

function renderPeers(t) {
  if (!Array.isArray(t.peers)) return tabs.peers.replaceChildren(notAvailable('Peers'));
  if (t.peers.length === 0) return tabs.peers.replaceChildren(el('p', { class: 'missing', text: 'No peer connected.' }));
  tabs.peers.replaceChildren(table(['Address', 'Client', 'Has', '↓', '↑', 'Flags'], t.peers.map((p) => [
    `${p?.address ?? '?'}${p?.port ? `:${p.port}` : ''}`,
    String(p?.clientName ?? ''),
    formatPercent(p?.progress),
    formatRate(p?.rateToClient),
    formatRate(p?.rateToPeer),
    String(p?.flagStr ?? ''),
  ])));
}

function count(n) {
  return typeof n === 'number' && n >= 0 ? String(n) : '–';
}

function renderTrackers(t) {
  if (!Array.isArray(t.trackerStats)) return tabs.trackers.replaceChildren(notAvailable('Trackers'));
  if (t.trackerStats.length === 0) {
    return tabs.trackers.replaceChildren(el('p', { class: 'missing', text: 'No tracker.' }));
  }
  tabs.trackers.replaceChildren(table(['Tier', 'Tracker', 'Last announce', 'Seeders', 'Leechers', 'Next'],
    t.trackerStats.map((s) => [
      count(s?.tier),
      String(s?.announce ?? s?.host ?? ''),
      s?.hasAnnounced ? `${formatDate(s.lastAnnounceTime)}: ${s.lastAnnounceResult ?? ''}` : '–',
      count(s?.seederCount),
      count(s?.leecherCount),
      formatDate(s?.nextAnnounceTime),
    ])));
}

function showTab(tab) {
  activeTab = tab;
  for (const button of tabButtons) button.setAttribute('aria-selected', String(button.dataset.tab === tab));
  for (const [name, section] of Object.entries(tabs)) section.hidden = name !== activeTab;
}

for (const button of tabButtons) {
  button.addEventListener('click', async () => {
    showTab(button.dataset.tab);
    try {
      await refreshDetails();
    } catch (error) {
      showError(error);
    }
  });
}

document.getElementById('details-close').addEventListener('click', closeDetails);
