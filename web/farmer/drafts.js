// A half-filled form kept in localStorage on every keystroke, so a reload
// or a tab the phone killed gives it back.

// What is kept: named fields the farmer types or picks (not files, not
// passwords, not hidden context the page sets itself).
const kept = form => [...form.elements].filter(e => e.name && /^(INPUT|SELECT|TEXTAREA)$/.test(e.tagName) &&
  !/^(file|password|hidden|submit|button|reset|image)$/.test(e.type));
const ticked = e => e.type === 'checkbox' || e.type === 'radio';

export function keepDraft(form, name) {
  const key = 'nongsan.farmer.draft.' + name;
  let saved = null;
  try { saved = JSON.parse(localStorage.getItem(key)); } catch (e) { /* none */ }
  // in the saved order, looked up afresh: a choice may add the fields that follow
  for (const n in saved || {}) {
    kept(form).filter(e => e.name === n).forEach((e, i) => {
      const v = saved[n][i];
      if (v === undefined || v === null) return;
      if (ticked(e)) e.checked = v;
      else if (e.type === 'select-multiple') for (const o of e.options) o.selected = v.includes(o.value);
      else e.value = v;
      e.dispatchEvent(new Event('input', {bubbles: true}));
      if (ticked(e) || e.tagName === 'SELECT') e.dispatchEvent(new Event('change', {bubbles: true}));
    });
  }
  const save = () => {
    const all = {};
    for (const e of kept(form)) {
      (all[e.name] ||= []).push(ticked(e) ? e.checked : e.type === 'select-multiple' ? [...e.selectedOptions].map(o => o.value) : e.value);
    }
    try { localStorage.setItem(key, JSON.stringify(all)); } catch (e) { /* full or private: not kept */ }
  };
  form.addEventListener('input', save);
  form.addEventListener('change', save);
  return {clear() { try { localStorage.removeItem(key); } catch (e) { /* nothing kept */ } }};
}
