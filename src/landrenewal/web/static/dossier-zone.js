// 片区档案: one renewal zone of a zone run — its outline on a small map, its figures (land by
// class and rights, low-efficiency land, tax per mu or "无权查看", the policy verdict), and the
// parcels and enterprises in it, each opening its own dossier.

import { api, download } from './api.js';
import { legend as getLegend } from './context.js';
import {
  card, clear, empty, facts, h, loading, table, toast,
} from './dom.js';
import { dossierHead, sectionLinks } from './dossier.js';
import { keyValues } from './findings.js';
import {
  categoryChips, classBadge, classColor, figure, mu, num,
} from './format.js';
import { fieldLabel, ruleLabel, t } from './i18n.js';
import { ZONE_COLOR, dossierMap } from './maplib.js';

const CLASS_FIGURES = ['class_a_mu', 'class_b_mu', 'class_c_mu', 'class_d_mu', 'unrated_mu'];

const parcelHref = (code) => `#/parcel/${encodeURIComponent(code)}`;
const enterpriseHref = (uscc) => `#/enterprise/${encodeURIComponent(uscc)}`;

export async function render(root, { args: [no], query, signal }) {
  root.append(loading());
  const run = query.get('run') || '';
  const [d, setup, legend] = await Promise.all([
    api.get(`/api/zones/${encodeURIComponent(no)}`, { run }, { signal, quiet: true }),
    api.get('/api/map', null, { signal, quiet: true }).catch(() => ({})),
    getLegend(),
  ]);
  if (signal.aborted) return undefined;
  const z = d.zone;
  const parcels = d.parcels || [];
  const enterprises = d.enterprises || [];
  const mapEl = h('div', { class: 'minimap', testid: 'zone-map' });
  const codes = parcels.map((p) => p.parcel_code);

  clear(root).append(
    h('div', { class: 'breadcrumb' },
      h('a', { href: `#/tables/zones${run ? `?run=${encodeURIComponent(run)}` : ''}` }, t('tables.zones')), ' / ', t('zone.title')),
    dossierHead(t('zone.title'), t('map.zoneNo', { n: z.zone_no }), [
      [fieldLabel('town_name'), [z.town_name, z.village_name].filter(Boolean).join(' ') || '—'],
      [t('zone.parcelMu'), mu(z.area_mu)],
      [fieldLabel('parcel_count'), num(z.parcel_count ?? parcels.length)],
      [t('zone.run'), String(d.run_id)],
    ], [
      h('a', { class: 'btn', href: `#/map?zone=${encodeURIComponent(z.zone_no)}`, testid: 'zone-on-map' }, t('parcel.onMap')),
      exportButton(z.zone_no, run),
    ], 'zone-dossier'),
    sectionLinks([
      [t('zone.figures'), 'zone-figures'], [t('zone.parcels'), 'zone-parcels'], [t('zone.enterprises'), 'zone-enterprises'],
    ]),
    h('div', { class: 'grid-2' },
      card(t('zone.figures'), 'zone-figures', figures(z)),
      card(t('zone.map'), 'zone-location', mapEl)),
    h('div', { style: { height: '16px' } }),
    h('div', { class: 'grid-2 even scroll-tables' },
      card(`${t('zone.parcels')}（${num(parcels.length)}）`, 'zone-parcels', parcelsTable(parcels)),
      card(`${t('zone.enterprises')}（${num(enterprises.length)}）`, 'zone-enterprises', enterprisesTable(enterprises))),
  );

  const removeMap = await dossierMap(mapEl, {
    geometry: d.geometry, bbox: d.bbox, setup, legend, signal,
    opacity: codes.length ? ['case', ['in', ['get', 'code'], ['literal', codes]], 0.85, 0.2] : 0.5,
    line: { 'line-color': ZONE_COLOR, 'line-width': 2.5, 'line-dasharray': [3, 1.5] },
    onParcel: (code) => { location.hash = parcelHref(code); },
  });
  return () => { if (removeMap) removeMap(); };
}

/** The dossier as an XLSX file (its figures, parcels and enterprises), private figures as the page shows them. */
function exportButton(no, run) {
  const button = h('button', { type: 'button', class: 'btn', testid: 'zone-export' }, t('zone.export'));
  button.addEventListener('click', async () => {
    button.disabled = true;
    button.textContent = t('tables.exporting');
    try {
      const name = await download(`/api/zones/${encodeURIComponent(no)}/export`, run ? { run } : null, `zone-${no}.xlsx`);
      toast(t('tables.exported', { name }), 'ok');
    } catch (e) {
      toast(e.detail || e.message);
    } finally {
      button.disabled = false;
      button.textContent = t('zone.export');
    }
  });
  return button;
}

/** The zone's figures; a private one (亩均税收 …) of other towns' units shows "无权查看", and a zone that
 * also holds other towns' figures shows the user's own town's part, marked as such. */
function figures(z) {
  const part = (text) => (z.partial && !z.restricted ? h('span', null, text, ' ', h('span', { class: 'note', testid: 'zone-part' }, t('zone.ownPart'))) : text);
  const mark = (name, digits) => part(figure(z, name, digits));
  const byRule = z.findings;
  return h('div', { class: 'stack' },
    facts([
      [fieldLabel('outline_mu'), mu(z.outline_mu)],
      [t('zone.parcelMu'), mu(z.area_mu)],
      [fieldLabel('state_mu'), mu(z.state_mu)],
      [fieldLabel('collective_mu'), mu(z.collective_mu)],
      [fieldLabel('enterprise_count'), num(z.enterprise_count)],
      [fieldLabel('holder_count'), num(z.holder_count)],
      [fieldLabel('tax_per_mu'), mark('tax_per_mu', 2)],
      [fieldLabel('value_added_per_mu'), mark('value_added_per_mu', 2)],
      [fieldLabel('finding_mu'), mu(z.finding_mu)],
      [fieldLabel('finding_parcels'), num(z.finding_parcels)],
      [fieldLabel('big_zone_name'), planned(z, 'big')],
      [fieldLabel('middle_zone_name'), planned(z, 'middle')],
      [fieldLabel('small_zone_name'), planned(z, 'small')],
    ], 'zone-facts'),
    h('div', null, h('h3', { class: 'note' }, t('zone.classes')), classBar(z)),
    h('div', null, h('h3', { class: 'note' }, t('zone.verdict')),
      h('p', { class: 'verdict', testid: 'zone-verdict' }, z.verdict || '—')),
    byRule && Object.keys(byRule).length
      ? h('details', { class: 'more' }, h('summary', null, t('zone.findings')),
        keyValues(byRule, Object.fromEntries(Object.keys(byRule).map((rule) => [rule, { description: ruleLabel(rule) }])))) : null);
}

/** Land by class as one stacked bar with its legend (the class colours of the map). */
function classBar(z) {
  const parts = CLASS_FIGURES.map((k) => ({
    key: k, code: k === 'unrated_mu' ? null : k.slice(6, 7).toUpperCase(), mu: Number(z[k]) || 0,
  }));
  const total = parts.reduce((sum, p) => sum + p.mu, 0) || 1;
  return h('div', { testid: 'zone-classes' },
    h('div', { class: 'class-bar' }, parts.filter((p) => p.mu > 0).map((p) => h('i', {
      title: `${fieldLabel(p.key)} ${mu(p.mu)}`,
      style: { width: `${(p.mu / total) * 100}%`, background: classColor(p.code) },
    }))),
    h('div', { class: 'kv' }, parts.map((p) => h('span', null, classBadge(p.code), ' ', h('b', null, mu(p.mu))))));
}

function parcelsTable(rows) {
  if (!rows.length) return empty(t('zone.noParcels'));
  return table([
    { key: 'parcel_code', label: fieldLabel('parcel_code'), kind: 'code', render: (r) => h('a', { href: parcelHref(r.parcel_code) }, r.parcel_code) },
    { key: 'town_name', label: fieldLabel('town_name') },
    { key: 'village_name', label: fieldLabel('village_name') },
    { key: 'area_mu', label: fieldLabel('area_mu'), kind: 'number', render: (r) => mu(r.area_mu) },
    { key: 'class', label: fieldLabel('class'), render: (r) => classBadge(r.class) },
    { key: 'categories', label: fieldLabel('categories'), render: (r) => categoryChips(r.categories) },
  ], rows, { testid: 'zone-parcels-table', rowTestid: 'zone-parcel', onRow: (r) => { location.hash = parcelHref(r.parcel_code); } });
}

function enterprisesTable(rows) {
  if (!rows.length) return empty(t('zone.noEnterprises'));
  return table([
    { key: 'name', label: fieldLabel('name'), render: (r) => h('a', { href: enterpriseHref(r.uscc) }, r.name || r.uscc) },
    { key: 'uscc', label: fieldLabel('uscc'), kind: 'code' },
    { key: 'class', label: fieldLabel('class'), render: (r) => classBadge(r.class) },
    { key: 'land_mu', label: t('zone.land_mu'), kind: 'number', render: (r) => mu(r.land_mu) },
  ], rows, { testid: 'zone-enterprises-table', rowTestid: 'zone-enterprise', onRow: (r) => { location.hash = enterpriseHref(r.uscc); } });
}

/** The 大圈/中圈/小圈 the zone lies in, by its name (its code kept as a tooltip). */
function planned(z, level) {
  const name = z[`${level}_zone_name`];
  const zoneCode = z[`${level}_zone_code`];
  if (!name && !zoneCode) return null;
  return h('span', { title: zoneCode || '', testid: `zone-${level}` }, name || zoneCode);
}
