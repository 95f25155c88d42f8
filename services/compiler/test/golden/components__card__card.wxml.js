__tesseraDefine("/components/card/card.wxml", function (module, exports, require) {
"use strict";
var P = require("/__tessera/prelude.wxml")(require), H = P.H, G = P.G, C = P.C, F = P.F, K = P.K, SA = P.SA, SO = P.SO, O = P.O, OS = P.OS, X = P.X, SC = P.SC, CL = P.CL, TL = P.TL, T = P.T;
var IMPORTS = [];
var OWN = {};
var R = function (d, rt) { rt = SC(rt, "t-3233a845"); var S = rt.toStr.bind(rt), c0 = [];
var c1 = [];
var c2 = [];
c2.push({ t: "text", text: S(G(d, "title")) });
c1.push({ t: "el", tag: "view", attrs: O([]), classes: CL(rt, "head"), dataset: O([]), events: [], children: c2 });
c1.push({ t: "slot", name: "" });
var c3 = [];
c3.push({ t: "slot", name: "footer" });
c1.push({ t: "el", tag: "view", attrs: O([]), classes: CL(rt, "footer"), dataset: O([]), events: [], children: c3 });
c0.push({ t: "el", tag: "view", attrs: O([]), classes: CL(rt, "card"), dataset: O([]), events: [], children: c1 });
return c0; };
module.exports = { render: R, templates: OWN };
});
