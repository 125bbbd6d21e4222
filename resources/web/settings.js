// The session's settings: the speed limits, the alternative limits' schedule and the folder for
// incomplete downloads, as session-get tells them; a save sends session-set what was changed.
import { rpc } from './rpc.js';
import { closeDialog, showError } from './ui.js';

const MAX_LIMIT_KBPS = 10000000;
const MINUTES_A_DAY = 24 * 60;

const FLAGS = [
  'speed-limit-down-enabled', 'speed-limit-up-enabled', 'alt-speed-enabled', 'alt-speed-time-enabled',
  'incomplete-dir-enabled',
];
const LIMITS = ['speed-limit-down', 'speed-limit-up'];
const TIMES = ['alt-speed-time-begin', 'alt-speed-time-end'];  // minutes after midnight
const DAYS = 'alt-speed-time-day';  // Transmission's bits: Sunday 1, Monday 2, ... Saturday 64
const FOLDER = 'incomplete-dir';
const FIELDS = [...FLAGS, ...LIMITS, ...TIMES, DAYS, FOLDER, 'alt-speed-down', 'alt-speed-up'];

// Minutes after midnight as a time field's value, HH:MM ('' for none).
function clockTime(minutes) {
  if (!Number.isInteger(minutes) || minutes < 0 || minutes >= MINUTES_A_DAY) return '';
  const two = (n) => String(n).padStart(2, '0');
  return `${two(Math.floor(minutes / 60))}:${two(minutes % 60)}`;
}

// A time field's value (HH:MM, or HH:MM:SS) as minutes after midnight; null for none.
function minutesOf(value) {
  const match = /^(\d{2}):(\d{2})/.exec(value);
  return match ? Number(match[1]) * 60 + Number(match[2]) : null;
}

// The changes the form makes to `before`, or a string that says what is wrong with it.
function changesFrom(form, dayBoxes, before) {
  const changes = {};
  for (const name of FLAGS) {
    if (form.elements[name].checked !== Boolean(before[name])) changes[name] = form.elements[name].checked;
  }
  for (const name of LIMITS) {
    const text = form.elements[name].value.trim();
    if (text === '') continue;
    const value = Number(text);
    if (!Number.isInteger(value) || value < 0 || value > MAX_LIMIT_KBPS) {
      return `A limit is a whole number of kB/s from 0 to ${MAX_LIMIT_KBPS}.`;
    }
    if (value !== before[name]) changes[name] = value;
  }
  const scheduled = form.elements['alt-speed-time-enabled'].checked;
  for (const name of TIMES) {
    const minutes = minutesOf(form.elements[name].value);
    if (minutes === null) {
      if (scheduled) return 'The schedule needs the time it begins and the time it ends.';
      continue;
    }
    if (minutes !== before[name]) changes[name] = minutes;
  }
  const days = dayBoxes.reduce((bits, box) => (box.checked ? bits | Number(box.value) : bits), 0);
  if (scheduled && days === 0) return 'Tick at least one day for the schedule.';
  if (days !== before[DAYS]) changes[DAYS] = days;
  // shoald keeps a folder once it has one: an empty field changes nothing.
  const folder = form.elements[FOLDER].value.trim();
  if (folder === '') {
    if (form.elements['incomplete-dir-enabled'].checked) return 'Give the folder for incomplete downloads.';
  } else if (folder !== before[FOLDER]) {
    changes[FOLDER] = folder;
  }
  return changes;
}

export function setupSettings() {
  const dialog = document.getElementById('settings-dialog');
  const form = document.getElementById('settings-form');
  const error = document.getElementById('settings-error');
  const altSpeeds = document.getElementById('alt-speeds');
  const dayBoxes = [...form.querySelectorAll(`input[name="${DAYS}"]`)];
  let before = {};

  document.getElementById('open-settings').addEventListener('click', async () => {
    error.hidden = true;
    try {
      before = await rpc('session-get', { fields: FIELDS });
    } catch (failure) {
      return showError(failure);
    }
    for (const name of FLAGS) form.elements[name].checked = Boolean(before[name]);
    for (const name of LIMITS) form.elements[name].value = typeof before[name] === 'number' ? before[name] : '';
    for (const name of TIMES) form.elements[name].value = clockTime(before[name]);
    for (const box of dayBoxes) box.checked = Number.isInteger(before[DAYS]) && (before[DAYS] & Number(box.value)) !== 0;
    form.elements[FOLDER].value = typeof before[FOLDER] === 'string' ? before[FOLDER] : '';
    altSpeeds.textContent = typeof before['alt-speed-down'] === 'number'
      ? `↓ ${before['alt-speed-down']} kB/s, ↑ ${before['alt-speed-up']} kB/s` : 'limits not available';
    dialog.showModal();
  });
  document.getElementById('settings-cancel').addEventListener('click', () => closeDialog(dialog));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const changes = changesFrom(form, dayBoxes, before);
    if (typeof changes === 'string') {
      error.textContent = changes;
      error.hidden = false;
      return;
    }
    try {
      if (Object.keys(changes).length > 0) await rpc('session-set', changes);
      closeDialog(dialog);
    } catch (failure) {
      error.textContent = failure.message;
      error.hidden = false;
    }
  });
}
