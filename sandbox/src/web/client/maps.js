/*
 * An offline stand-in for the Google Maps JavaScript API loader (/maps/api/js?key=…&callback=…): the same entry
 * points the app uses (google.maps.Map, Marker, Circle, the callback, window.gm_authFailure), drawn as inline SVG
 * with no tiles from the internet. Like Google's loader it checks the key after the map is drawn; a refused key
 * calls window.gm_authFailure() and covers the map with Google's error dialog.
 */
(() => {
  'use strict';
  const script = document.currentScript;
  const params = new URL(script.src).searchParams;
  const key = params.get('key') || '';
  const SVG = 'http://www.w3.org/2000/svg';
  const WIDTH = 640;
  const HEIGHT = 360;

  const el = (name, attributes = {}, parent) => {
    const node = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, String(v));
    if (parent) parent.append(node);
    return node;
  };

  /** Web Mercator, as Google's tiles: pixels per metre at this latitude and zoom. */
  const metresPerPixel = (lat, zoom) => (156543.03392 * Math.cos((lat * Math.PI) / 180)) / 2 ** zoom;
  function project(center, zoom, point) {
    const scale = 256 * 2 ** zoom;
    const x = (lng) => ((lng + 180) / 360) * scale;
    const y = (lat) => {
      const s = Math.sin((lat * Math.PI) / 180);
      return (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * scale;
    };
    return { x: WIDTH / 2 + x(point.lng) - x(center.lng), y: HEIGHT / 2 + y(point.lat) - y(center.lat) };
  }

  let checked = false;
  /** The key check Google's loader makes once a map exists; a refused key ends in gm_authFailure. */
  function authenticate(map) {
    if (checked) return;
    checked = true;
    fetch(`/maps/api/js/AuthenticationService.Authenticate?key=${encodeURIComponent(key)}`)
      .then((response) => response.json())
      .then((answer) => {
        if (answer[0] === 1) return;
        setTimeout(() => {
          map.fail();
          if (typeof window.gm_authFailure === 'function') window.gm_authFailure();
        }, 800);
      })
      .catch(() => undefined);
  }

  class Map {
    constructor(container, options) {
      this.container = container;
      this.center = options.center;
      this.zoom = options.zoom ?? 12;
      this.overlays = [];
      container.replaceChildren();
      container.style.position = 'relative';
      this.svg = el('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-label': 'Map', width: '100%' });
      container.append(this.svg);
      this.draw();
      requestAnimationFrame(() => authenticate(this));
    }
    add(overlay) {
      this.overlays.push(overlay);
      this.draw();
    }
    draw() {
      const svg = this.svg;
      svg.replaceChildren();
      el('rect', { width: WIDTH, height: HEIGHT, fill: '#e8eaed' }, svg);
      const streets = el('g', { stroke: '#ffffff', 'stroke-width': 6 }, svg);
      for (let x = 40; x < WIDTH; x += 90) el('line', { x1: x, y1: 0, x2: x + 30, y2: HEIGHT }, streets);
      for (let y = 30; y < HEIGHT; y += 80) el('line', { x1: 0, y1: y, x2: WIDTH, y2: y - 20 }, streets);
      for (const overlay of this.overlays) overlay.draw(svg, this);
      el('text', { x: WIDTH - 8, y: HEIGHT - 8, 'text-anchor': 'end', 'font-size': 11, fill: '#5f6368' }, svg).textContent =
        'Map data ©';
    }
    fail() {
      this.svg.style.filter = 'grayscale(1) brightness(0.6)';
      const dialog = document.createElement('div');
      dialog.className = 'gm-err-container';
      dialog.setAttribute('role', 'dialog');
      dialog.setAttribute('aria-label', 'Google Maps error');
      dialog.style.cssText =
        'position:absolute;inset:0;display:flex;flex-direction:column;align-items:center;justify-content:center;' +
        'background:rgba(255,255,255,.92);text-align:center;padding:1rem;font:14px Roboto,Arial,sans-serif';
      const title = document.createElement('div');
      title.className = 'gm-err-title';
      title.textContent = "This page can't load Google Maps correctly.";
      const message = document.createElement('div');
      message.className = 'gm-err-message';
      message.textContent = 'Do you own this website?';
      dialog.append(title, message);
      this.container.append(dialog);
    }
  }

  class Marker {
    constructor({ position, map, title }) {
      this.position = position;
      this.title = title || '';
      map?.add(this);
    }
    draw(svg, map) {
      const { x, y } = project(map.center, map.zoom, this.position);
      const pin = el('g', { transform: `translate(${x} ${y})` }, svg);
      el('title', {}, pin).textContent = this.title;
      el('path', { d: 'M0 0 C -4 -10 -11 -14 -11 -22 A 11 11 0 1 1 11 -22 C 11 -14 4 -10 0 0 Z', fill: '#ea4335', stroke: '#b31412' }, pin);
      el('circle', { cx: 0, cy: -22, r: 4, fill: '#b31412' }, pin);
    }
  }

  class Circle {
    constructor({ center, radius, map, title }) {
      this.center = center;
      this.radius = radius;
      this.title = title || '';
      map?.add(this);
    }
    draw(svg, map) {
      const { x, y } = project(map.center, map.zoom, this.center);
      const r = this.radius / metresPerPixel(this.center.lat, map.zoom);
      const circle = el('circle', { cx: x, cy: y, r, fill: '#4285f4', 'fill-opacity': 0.15, stroke: '#4285f4', 'stroke-width': 2 }, svg);
      el('title', {}, circle).textContent = this.title;
    }
  }

  window.google = window.google || {};
  window.google.maps = { Map, Marker, Circle };
  const callback = params.get('callback');
  if (callback && typeof window[callback] === 'function') window[callback]();
})();
