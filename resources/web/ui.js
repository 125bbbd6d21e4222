// What every part of the page shares: building elements (text only, never markup), the
// banner that says what went wrong, closing a dialog, and figures written for people.

// An element with a class, text and attributes; children are elements or strings.
export function el(tag, options = {}, ...children) {
  const node = document.createElement(tag);
  if (options.class) node.className = options.class;
  if (options.text !== undefined) node.textContent = String(options.text);
  for (const [name, value] of Object.entries(options.attrs || {})) node.setAttribute(name, String(value));
  for (const child of children) node.append(child);
  return node;
}

const banner = document.getElementById('banner');
const bannerText = document.getElementById('banner-text');
let bannerSource = '';

// Shows `message` in the banner; `source` names who may take it down again (clearMessage).
export function showMessage(message, { source = 'action', info = false } = {}) {
  bannerText.textContent = message;
  banner.classList.toggle('info', info);
  banner.hidden = false;
  bannerSource = source;
}

export function clearMessage(source) {
  if (!banner.hidden && bannerSource === source) banner.hidden = true;
}

document.getElementById('banner-close').addEventListener('click', () => { banner.hidden = true; });

// Shows a failure (an rpc() one says which method and why) in the banner.
export function showError(error, source = 'action') {
  showMessage(error instanceof Error ? error.message : String(error), { source });
}

export function closeDialog(dialog) {
  if (dialog.open) dialog.close();
}

// Transmission's units: powers of 1000.
const SIZE_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];

export function formatSize(bytes) {
  if (typeof bytes !== 'number' || !Number.isFinite(bytes) || bytes < 0) return '–';
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < SIZE_UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 2 : 1)} ${SIZE_UNITS[unit]}`;
}

export function formatRate(bytesPerSecond) {
  if (!bytesPerSecond) return '–';
  return `${formatSize(bytesPerSecond)}/s`;
}

export function formatPercent(fraction) {
  if (typeof fraction !== 'number' || !Number.isFinite(fraction)) return '–';
  const percent = Math.max(0, Math.min(1, fraction)) * 100;
  return `${percent === 100 || percent === 0 ? percent : percent.toFixed(1)}%`;
}

// Transmission's -1 (not available) and -2 (unknown).
export function formatEta(seconds) {
  if (seconds === -2) return '∞';
  if (typeof seconds !== 'number' || seconds < 0) return '–';
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
  return `${Math.floor(seconds / 86400)} d ${Math.floor((seconds % 86400) / 3600)} h`;
}

// Transmission's -1 (nothing moved) and -2 (uploads, no downloads).
export function formatRatio(ratio) {
  if (ratio === -2) return '∞';
  if (typeof ratio !== 'number' || ratio < 0) return '–';
  return ratio.toFixed(2);
}

export function formatDate(secondsSinceEpoch) {
  if (typeof secondsSinceEpoch !== 'number' || secondsSinceEpoch <= 0) return '–';
  return new Date(secondsSinceEpoch * 1000).toLocaleString();
}

const STATUS_NAMES = ['Stopped', 'Queued to verify', 'Verifying', 'Queued', 'Downloading', 'Queued to seed', 'Seeding'];

export function statusText(torrent) {
  if (torrent.error) return torrent.errorString ? `Error: ${torrent.errorString}` : 'Error';
  if (torrent.status === 4 && torrent.metadataPercentComplete === 0) return 'Fetching metadata';
  return STATUS_NAMES[torrent.status] ?? 'Unknown';
}
