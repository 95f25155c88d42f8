// Helpers emitted at the top of every compiled WXML module (inside its define wrapper). They
// are ordinary functions: no eval, no new Function, so templates run under a strict CSP.
//
// H  own-property check          G  safe member access (own properties, length of strings/arrays)
// C  call a wxs module function  F  wx:for iteration (arrays, objects, strings, numbers)
// K  key the nodes of one wx:for iteration     SA/SO  spread helpers for array/object literals
// X  rpx → vw in inline styles   TL template lookup (own, then imports, then rt.templates)
import { RPX_PATTERN_SOURCE } from '../wxss/rpx.ts';

export const PRELUDE = `var HOP = Object.prototype.hasOwnProperty;
function H(o, k) { return o !== null && o !== undefined && HOP.call(o, k); }
function G(o, k) {
  if (o === null || o === undefined) return undefined;
  if (k === "length" && (typeof o === "string" || Array.isArray(o))) return o.length;
  if (typeof o === "string") { var n = +k; return n >= 0 && n < o.length && n % 1 === 0 ? o.charAt(n) : undefined; }
  if (typeof o !== "object" && typeof o !== "function") return undefined;
  return HOP.call(o, k) ? o[k] : undefined;
}
function C(fn, self, args) { return typeof fn === "function" ? fn.apply(self, args) : undefined; }
function F(v, fn) {
  var i;
  if (Array.isArray(v)) { for (i = 0; i < v.length; i++) fn(v[i], i); }
  else if (typeof v === "string") { for (i = 0; i < v.length; i++) fn(v.charAt(i), i); }
  else if (typeof v === "number") { var n = Math.min(Math.floor(v), 1e6); for (i = 0; i < n; i++) fn(i, i); }
  else if (v !== null && typeof v === "object") { var ks = Object.keys(v); for (i = 0; i < ks.length; i++) fn(v[ks[i]], ks[i]); }
}
function K(into, nodes, key) {
  var n = 0;
  for (var i = 0; i < nodes.length; i++) {
    var x = nodes[i];
    if (x.t === "el" || x.t === "comp") { x.key = n === 0 ? key : key + "#" + n; n++; }
    into.push(x);
  }
}
function SA(v) { return Array.isArray(v) ? v : []; }
function SO(v) { return v !== null && typeof v === "object" ? v : {}; }
function O(pairs) { var o = {}; for (var i = 0; i < pairs.length; i += 2) Object.defineProperty(o, pairs[i], { value: pairs[i + 1], enumerable: true, writable: true, configurable: true }); return o; }
function OS(parts) {
  var o = {};
  for (var i = 0; i < parts.length; i++) {
    var p = parts[i], ks = Object.keys(p);
    for (var j = 0; j < ks.length; j++) Object.defineProperty(o, ks[j], { value: p[ks[j]], enumerable: true, writable: true, configurable: true });
  }
  return o;
}
var RPX = /${RPX_PATTERN_SOURCE}/g;
function X(s) { return s.replace(RPX, function (m, n) { var v = +n; if (v === 0) return "0"; return Math.round(v / 7.5 * 10000) / 10000 + "vw"; }); }
function SC(rt, scope) { if (rt.scopeClass === scope) return rt; var r = Object.create(rt); r.scopeClass = scope; return r; }
function CL(rt, cls) { var s = rt.scopeClass; return s ? (cls ? s + " " + cls : s) : cls; }
function TL(own, imports, name, rt) {
  if (H(own, name)) return own[name];
  for (var i = imports.length - 1; i >= 0; i--) { var m = require(imports[i]); if (m && H(m.templates, name)) return m.templates[name]; }
  return rt.templates && H(rt.templates, name) ? rt.templates[name] : undefined;
}
function T(into, fn, data, rt) { if (typeof fn !== "function") return; var r = fn(SO(data), rt); for (var i = 0; i < r.length; i++) into.push(r[i]); }
`;

const HELPERS = ['H', 'G', 'C', 'F', 'K', 'SA', 'SO', 'O', 'OS', 'X', 'SC', 'CL', 'TL', 'T'];

/** Package path and module id of the shared helper module (one copy per package). */
export const PRELUDE_PATH = '__tessera/prelude.wxml';

/** The shared helper module: exports a function (require) → helpers, so TL uses the caller's require. */
export const PRELUDE_MODULE = `__tesseraDefine("/${PRELUDE_PATH}", function (module, exports, require) {
"use strict";
module.exports = function (require) {
${PRELUDE}return { ${HELPERS.map((h) => `${h}: ${h}`).join(', ')} };
};
});
`;

/** What a compiled module writes instead of the inline prelude when the shared one is used. */
export const PRELUDE_IMPORT = `var P = require("/${PRELUDE_PATH}")(require), ${HELPERS.map((h) => `${h} = P.${h}`).join(', ')};\n`;
