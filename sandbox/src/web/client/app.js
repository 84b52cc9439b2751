/*
 * Marsana Fleet: the browser side of the pages (what the Next.js client components do). Loaded after the page,
 * like a hydrating bundle: until it runs, buttons, tabs and filters do nothing.
 * Served by the sandbox at /_next/static/chunks/app.js; lines marked with a trailing comment may be left out.
 */
(() => {
  'use strict';
  const configElement = document.getElementById('app-config');
  const config = configElement ? JSON.parse(configElement.textContent || '{}') : {};
  const $ = (selector, root = document) => root.querySelector(selector);
  const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));

  /** The access token of the @supabase/ssr session cookie (one cookie, or chunks name.0, name.1, …). */
  function accessToken() {
    const cookies = new Map(document.cookie.split('; ').filter(Boolean).map((c) => {
      const at = c.indexOf('=');
      return [c.slice(0, at), decodeURIComponent(c.slice(at + 1))];
    }));
    let value = cookies.get(config.cookie);
    if (value === undefined) {
      const chunks = [];
      for (let i = 0; cookies.has(`${config.cookie}.${i}`); i++) chunks.push(cookies.get(`${config.cookie}.${i}`));
      value = chunks.length ? chunks.join('') : undefined;
    }
    if (!value || !value.startsWith('base64-')) return undefined;
    const base64 = value.slice(7).replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes)).access_token;
  }

  function loadScript(src) {
    return new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = src;
      script.onload = () => resolve();
      script.onerror = () => reject(new Error(`could not load ${src}`));
      document.head.append(script);
    });
  }

  let client;
  /** supabase-js (browser build), acting as the signed-in user with the cookie's token. */
  function supabase() {
    client ??= loadScript('/assets/supabase.js').then(() =>
      window.supabase.createClient(location.origin, config.anonKey, {
        accessToken: async () => accessToken() ?? config.anonKey,
      }),
    );
    return client;
  }

  function showError(element, error) {
    if (!element) return;
    element.textContent = error && error.message ? error.message : String(error);
    element.hidden = false;
  }

  // ----------------------------------------------------------------------------------------------------------
  // Vehicles list: search, status and branch filters, live updates.

  function vehiclesList(table) {
    const body = table.tBodies[0];
    const search = $('#vehicle-search');
    const status = $('#vehicle-status');
    const branch = $('#vehicle-branch');
    const noMatch = $('#no-match');
    const branches = config.branches || {};

    function apply() {
      const term = search.value.trim().toLowerCase();
      let visible = 0;
      const rows = Array.from(body.rows).filter((row) => row.dataset.id);
      for (const row of rows) {
        let show = true;
        if (term && !row.dataset.search.includes(term)) show = false; /*search*/
        if (status.value && row.dataset.status !== status.value) show = false; /*filters*/
        if (branch.value && row.dataset.branch !== branch.value) show = false; /*filters*/
        row.hidden = !show;
        if (show) visible++;
      }
      noMatch.hidden = rows.length === 0 || visible > 0;
    }
    search.addEventListener('input', apply); /*search*/
    status.addEventListener('change', apply); /*filters*/
    branch.addEventListener('change', apply); /*filters*/
    apply();

    function cell(text) {
      const td = document.createElement('td');
      td.textContent = text == null ? '' : String(text);
      return td;
    }
    function render(vehicle) {
      const row = document.createElement('tr');
      row.dataset.id = vehicle.id;
      row.dataset.search = `${vehicle.plate} ${vehicle.make} ${vehicle.model}`.toLowerCase();
      row.dataset.status = vehicle.status;
      row.dataset.branch = vehicle.branch_id || '';
      const plate = document.createElement('td');
      const link = document.createElement('a');
      link.href = `/vehicles/${vehicle.id}`;
      link.textContent = vehicle.plate;
      plate.append(link);
      row.append(plate, cell(vehicle.make), cell(vehicle.model), cell(vehicle.status), cell(branches[vehicle.branch_id] || ''));
      return row;
    }
    function place(row) {
      const plate = row.dataset.search;
      const next = Array.from(body.rows).find((r) => r.dataset.id && r.dataset.search > plate);
      body.insertBefore(row, next || null);
    }
    function onChange(change) {
      const id = (change.new && change.new.id) || (change.old && change.old.id);
      const existing = id ? $(`tr[data-id="${CSS.escape(id)}"]`, body) : null;
      if (existing) existing.remove();
      if (change.eventType !== 'DELETE' && change.new && change.new.id) place(render(change.new));
      apply();
    }
    supabase()
      .then((sb) =>
        sb
          .channel('vehicles-list')
          .on('postgres_changes', { event: '*', schema: 'public', table: 'vehicles' }, onChange)
          .subscribe((state) => {
            table.dataset.live = state;
          }),
      )
      .catch(() => {
        table.dataset.live = 'CHANNEL_ERROR';
      });
  }

  // ----------------------------------------------------------------------------------------------------------
  // Tabs (WAI-ARIA tabs pattern), and the map behind the Maps tab.

  function tabs(list) {
    const all = $$('[role="tab"]', list);
    function select(tab, focus) {
      for (const t of all) {
        const on = t === tab;
        t.setAttribute('aria-selected', String(on));
        t.tabIndex = on ? 0 : -1;
        const panel = document.getElementById(t.getAttribute('aria-controls'));
        if (panel) panel.hidden = !on;
      }
      if (focus) tab.focus();
      if (tab.dataset.tab === 'maps') showMap();
    }
    for (const tab of all) {
      tab.addEventListener('click', () => select(tab, false));
      tab.addEventListener('keydown', (event) => {
        const at = all.indexOf(tab);
        const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: all.length - 1 }[event.key];
        if (to === undefined) return;
        event.preventDefault();
        select(all[(to + all.length) % all.length], true);
      });
    }
    const current = all.find((t) => t.getAttribute('aria-selected') === 'true');
    if (current && current.dataset.tab === 'maps') showMap();
  }

  let mapRequested = false;
  function showMap() {
    const element = $('#vehicle-map');
    if (!element || mapRequested) return;
    mapRequested = true;
    const data = element.dataset;
    // Google's loader calls this when the key is refused.
    window.gm_authFailure = () => showError($('#map-error'), new Error('The map could not be loaded.'));
    window.initVehicleMap = () => {
      const position = { lat: Number(data.lat), lng: Number(data.lng) };
      const map = new google.maps.Map(element, { center: position, zoom: Number(data.zoom || 12) });
      new google.maps.Marker({ position, map, title: data.title });
      if (data.fenceLat) {
        new google.maps.Circle({
          map,
          center: { lat: Number(data.fenceLat), lng: Number(data.fenceLng) },
          radius: Number(data.fenceRadius),
          title: data.fenceName,
        });
      }
    };
    loadScript(`/maps/api/js?key=${encodeURIComponent(config.mapsKey)}&callback=initVehicleMap`).catch((error) =>
      showError($('#map-error'), error),
    );
  }

  // ----------------------------------------------------------------------------------------------------------
  // Forms that write through the API as the user (handshakes, inspections), and the disclosure buttons.

  for (const button of $$('button[aria-controls][aria-expanded]')) {
    button.addEventListener('click', () => {
      const target = document.getElementById(button.getAttribute('aria-controls'));
      const open = button.getAttribute('aria-expanded') !== 'true';
      button.setAttribute('aria-expanded', String(open));
      target.hidden = !open;
      if (open) target.querySelector('select, input, textarea')?.focus();
    });
  }

  async function run(errorElement, busy, task) {
    busy.disabled = true;
    try {
      await task(await supabase());
      location.reload();
    } catch (error) {
      showError(errorElement, error);
      busy.disabled = false;
    }
  }
  const check = ({ data, error }) => {
    if (error) throw error;
    return data;
  };

  const handshakeForm = $('#handshake-form');
  handshakeForm?.addEventListener('submit', (event) => {
    event.preventDefault();
    const form = new FormData(handshakeForm);
    const vehicle = (config.vehicles || []).find((v) => v.id === form.get('vehicle_id'));
    run($('#handshake-error'), $('button[type="submit"]', handshakeForm), async (sb) => {
      if (!vehicle) throw new Error('Choose a vehicle.');
      check(
        await sb.from('handshakes').insert({
          corporate_id: config.corporateId,
          vehicle_id: vehicle.id,
          from_branch_id: vehicle.branch_id,
          to_branch_id: form.get('to_branch_id'),
          notes: form.get('notes') || null,
          requested_by: config.userId,
        }),
      );
    });
  });

  for (const button of $$('button[data-handshake-action]')) {
    button.addEventListener('click', () => {
      const accept = button.dataset.handshakeAction === 'accept';
      const change = accept ? { status: 'ACCEPTED', accepted_by: config.userId, accepted_at: new Date().toISOString() } : { status: 'REJECTED' };
      run($('#handshake-error'), button, async (sb) => {
        const rows = check(await sb.from('handshakes').update(change).eq('id', button.dataset.id).select('id'));
        if (rows.length !== 1) throw new Error('This handshake can no longer be changed.');
      });
    });
  }

  const inspectionForm = $('#inspection-form');
  inspectionForm?.addEventListener('submit', (event) => {
    event.preventDefault();
    const form = new FormData(inspectionForm);
    run($('#inspection-error'), $('button[type="submit"]', inspectionForm), async (sb) => {
      if (!form.get('vehicle_id')) throw new Error('Choose a vehicle.');
      if (!form.get('result')) throw new Error('Choose a result.');
      let photoPath = null;
      const photo = form.get('photo');
      if (photo && photo.size > 0) {
        const safeName = photo.name.replace(/[^A-Za-z0-9._-]+/g, '-');
        const path = `${config.corporateId}/${form.get('vehicle_id')}/${crypto.randomUUID()}-${safeName}`;
        const uploaded = check(await sb.storage.from('inspection-photos').upload(path, photo, { contentType: photo.type }));
        photoPath = uploaded.path;
      }
      const checklist = {};
      for (const item of config.checklist || []) checklist[item] = form.getAll('checklist').includes(item);
      check(
        await sb.from('inspections').insert({
          corporate_id: config.corporateId,
          vehicle_id: form.get('vehicle_id'),
          inspector_id: config.userId,
          checklist,
          photo_path: photoPath,
          result: form.get('result'),
          notes: form.get('notes') || null,
        }),
      );
    });
  });

  const vehicles = $('table[aria-label="Vehicles"][data-vehicles-list]');
  if (vehicles) vehiclesList(vehicles);
  for (const list of $$('[role="tablist"]')) tabs(list);
  document.documentElement.dataset.hydrated = 'true';
})();
