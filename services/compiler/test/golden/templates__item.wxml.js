__tesseraDefine("/templates/item.wxml", function (module, exports, require) {
"use strict";
var P = require("/__tessera/prelude.wxml")(require), H = P.H, G = P.G, C = P.C, F = P.F, K = P.K, SA = P.SA, SO = P.SO, O = P.O, OS = P.OS, X = P.X, SC = P.SC, CL = P.CL, TL = P.TL, T = P.T;
var w1 = require("/utils/format.wxs");
var IMPORTS = ["/templates/deep.wxml"];
var OWN = {};
OWN["item"] = function (d, rt) { var S = rt.toStr.bind(rt), c0 = [];
var c2 = [];
c2.push({ t: "text", text: S(G(d, "name")) + ": " + S((function (o) { return C(G(o, "price"), o, [G(d, "cents")]); })(w1)) });
c0.push({ t: "el", tag: "view", attrs: O([]), classes: CL(rt, "item"), dataset: O(["itemId", G(d, "id")]), events: [], children: c2 });
return c0; };
OWN["uses-deep"] = function (d, rt) { var S = rt.toStr.bind(rt), c0 = [];
T(c0, TL(OWN, IMPORTS, "deep", rt), O(["v", 1]), rt);
return c0; };
var R = function (d, rt) { var S = rt.toStr.bind(rt), c0 = [];

return c0; };
module.exports = { render: R, templates: OWN };
});
