(function () {
  "use strict";
  // Filled in by relu_course.explorer: activations, sliders, constants.
  var SPEC = /*SPEC*/null;
  var SVG = "http://www.w3.org/2000/svg";
  var SQRT_PI = Math.sqrt(Math.PI);

  // ---- special functions ------------------------------------------------------------------
  // erf by the series erf(x) = 2/sqrt(pi) e^(-x^2) sum_n 2^n x^(2n+1) / (1*3*...*(2n+1))
  // (all terms of one sign: no cancellation) for |x| < 3, and erfc by its continued fraction
  // erfc(x) = e^(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))) beyond. Both are
  // accurate to a few units in the last place of a double, far inside 1e-6.
  function erfSeries(x) {
    var x2 = x * x, term = x, sum = x, n = 0;
    while (Math.abs(term) > 1e-17 * Math.abs(sum)) {
      n += 1;
      term *= 2 * x2 / (2 * n + 1);
      sum += term;
    }
    return 2 / SQRT_PI * Math.exp(-x2) * sum;
  }
  function erfcFraction(x) {                       // x >= 3
    var f = x;
    for (var k = 60; k >= 1; k--) f = x + (k / 2) / f;
    return Math.exp(-x * x) / (SQRT_PI * f);
  }
  function erf(x) {
    if (Math.abs(x) < 3) return erfSeries(x);
    return x > 0 ? 1 - erfcFraction(x) : erfcFraction(-x) - 1;
  }
  function erfc(x) {
    if (x >= 3) return erfcFraction(x);
    if (x <= -3) return 2 - erfcFraction(-x);
    return 1 - erfSeries(x);
  }
  function normalCdf(x) { return 0.5 * erfc(-x / Math.SQRT2); }
  function normalPdf(x) { return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI); }
  function sigmoid(x) {
    if (x >= 0) return 1 / (1 + Math.exp(-x));
    var e = Math.exp(x);
    return e / (1 + e);
  }
  function softplus1(z) { return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))); }

  // ---- the activations: phi(x, p), its derivative dphi(x, p), a readable formula ----------
  // At a kink the derivative takes the value PyTorch uses (ReLU: 0 at 0; ELU: alpha at 0).
  var S = SPEC.selu.scale, A = SPEC.selu.alpha;
  var ACTIVATIONS = {
    relu: {
      phi: function (x) { return x > 0 ? x : 0; },
      dphi: function (x) { return x > 0 ? 1 : 0; },
      text: "\u03c6(x) = max(0, x)"
    },
    leaky_relu: {
      phi: function (x, p) { return x > 0 ? x : p.negative_slope * x; },
      dphi: function (x, p) { return x > 0 ? 1 : p.negative_slope; },
      text: "\u03c6(x) = x for x > 0, a\u00b7x otherwise (a: the negative slope)"
    },
    prelu: {
      phi: function (x, p) { return x > 0 ? x : p.weight * x; },
      dphi: function (x, p) { return x > 0 ? 1 : p.weight; },
      text: "\u03c6(x) = x for x > 0, a\u00b7x otherwise (a: the weight, learned in training)"
    },
    elu: {
      phi: function (x, p) { return x > 0 ? x : p.alpha * Math.expm1(x); },
      dphi: function (x, p) { return x > 0 ? 1 : p.alpha * Math.exp(x); },
      text: "\u03c6(x) = x for x > 0, \u03b1(e\u02e3 \u2212 1) otherwise"
    },
    selu: {
      phi: function (x) { return S * (x > 0 ? x : A * Math.expm1(x)); },
      dphi: function (x) { return S * (x > 0 ? 1 : A * Math.exp(x)); },
      text: "\u03c6(x) = \u03bbx for x > 0, \u03bb\u03b1(e\u02e3 \u2212 1) otherwise " +
            "(\u03bb \u2248 1.0507, \u03b1 \u2248 1.6733)"
    },
    gelu: {
      phi: function (x) { return x * normalCdf(x); },
      dphi: function (x) { return normalCdf(x) + x * normalPdf(x); },
      text: "\u03c6(x) = x\u00b7\u03a6(x), \u03a6 the standard normal CDF"
    },
    silu: {
      phi: function (x) { return x * sigmoid(x); },
      dphi: function (x) { var s = sigmoid(x); return s * (1 + x * (1 - s)); },
      text: "\u03c6(x) = x\u00b7\u03c3(x), \u03c3 the sigmoid"
    },
    mish: {
      phi: function (x) { return x * Math.tanh(softplus1(x)); },
      dphi: function (x) {
        var t = Math.tanh(softplus1(x));
        return t + x * sigmoid(x) * (1 - t * t);
      },
      text: "\u03c6(x) = x\u00b7tanh(ln(1 + e\u02e3))"
    },
    softplus: {
      phi: function (x, p) {
        var z = p.beta * x;
        return z > p.threshold ? x : softplus1(z) / p.beta;
      },
      dphi: function (x, p) {
        var z = p.beta * x;
        return z > p.threshold ? 1 : sigmoid(z);
      },
      text: "\u03c6(x) = ln(1 + e^(\u03bdx)) / \u03bd (\u03bd: PyTorch's beta)"
    },
    sigmoid: {
      phi: function (x) { return sigmoid(x); },
      dphi: function (x) { var s = sigmoid(x); return s * (1 - s); },
      text: "\u03c6(x) = \u03c3(x) = 1 / (1 + e^(\u2212x))"
    },
    tanh: {
      phi: function (x) { return Math.tanh(x); },
      dphi: function (x) { var t = Math.tanh(x); return 1 - t * t; },
      text: "\u03c6(x) = tanh(x)"
    },
    relu6: {
      phi: function (x) { return Math.min(Math.max(0, x), 6); },
      dphi: function (x) { return x > 0 && x < 6 ? 1 : 0; },
      text: "\u03c6(x) = min(max(0, x), 6)"
    },
    hard_swish: {
      phi: function (x) { return x * Math.min(Math.max(0, x + 3), 6) / 6; },
      dphi: function (x) { return x <= -3 ? 0 : (x < 3 ? (2 * x + 3) / 6 : 1); },
      text: "\u03c6(x) = x\u00b7min(max(0, x + 3), 6) / 6"
    },
    squared_relu: {
      phi: function (x) { var r = Math.max(0, x); return r * r; },
      dphi: function (x) { return 2 * Math.max(0, x); },
      text: "\u03c6(x) = max(0, x)\u00b2"
    }
  };
  var BY_NAME = {};
  SPEC.activations.forEach(function (a) { BY_NAME[a.name] = a; });

  function fullParams(name, params) {               // sliders' values plus fixed ones
    var out = {}, a = BY_NAME[name];
    Object.keys(a.fixed).forEach(function (k) { out[k] = a.fixed[k]; });
    a.params.forEach(function (q) { out[q.name] = q.value; });
    Object.keys(params || {}).forEach(function (k) { out[k] = Number(params[k]); });
    return out;
  }
  function phi(name, x, params) { return ACTIVATIONS[name].phi(x, fullParams(name, params)); }
  function dphi(name, x, params) { return ACTIVATIONS[name].dphi(x, fullParams(name, params)); }

  // P(phi(X) == 0) and P(|phi'(X)| < threshold) for X ~ N(0, 1): midpoints of equal cells
  // on [-limit, limit] weighted by the normal density (the same rule as normal_fractions).
  function fractions(name, params) {
    var p = fullParams(name, params), act = ACTIVATIONS[name];
    var limit = SPEC.quadrature.limit, cells = SPEC.quadrature.cells;
    var h = 2 * limit / cells, total = 0, zeroed = 0, saturated = 0;
    for (var i = 0; i < cells; i++) {
      var m = -limit + (i + 0.5) * h, w = Math.exp(-0.5 * m * m);
      total += w;
      if (act.phi(m, p) === 0) zeroed += w;
      if (Math.abs(act.dphi(m, p)) < SPEC.saturation) saturated += w;
    }
    return {zeroed: zeroed / total, saturated: saturated / total};
  }

  // ---- the plot --------------------------------------------------------------------------
  // The viewBox follows the plot's width on screen, so its text keeps a readable size.
  var L = 40, R = 10, T = 10, B = 28, SAMPLES = 401;
  function niceStep(span) {
    var raw = span / 5, mag = Math.pow(10, Math.floor(Math.log10(raw)));
    var f = raw / mag;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
  }
  function el(tag, attrs, text) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function fmt(v) { return String(Math.round(v * 1e6) / 1e6); }

  function draw(svg, name, params) {
    var p = fullParams(name, params), act = ACTIVATIONS[name];
    var x0 = BY_NAME[name].x_range[0], x1 = BY_NAME[name].x_range[1];
    var xs = [], fs = [], ds = [];
    for (var i = 0; i < SAMPLES; i++) {
      var x = x0 + (x1 - x0) * i / (SAMPLES - 1);
      xs.push(x); fs.push(act.phi(x, p)); ds.push(act.dphi(x, p));
    }
    var W = Math.round(Math.max(300, Math.min(600, svg.clientWidth || 420)));
    var H = Math.round(Math.max(220, Math.min(340, 0.62 * W)));
    svg.setAttribute("viewBox", "0 0 " + W + " " + H);
    var lo = Math.min(0, Math.min.apply(null, fs), Math.min.apply(null, ds));
    var hi = Math.max(1, Math.max.apply(null, fs), Math.max.apply(null, ds));
    var step = niceStep(hi - lo), pad = 0.06 * (hi - lo);
    lo -= pad;
    hi += pad;
    var sx = function (x) { return L + (x - x0) / (x1 - x0) * (W - L - R); };
    var sy = function (y) { return T + (hi - y) / (hi - lo) * (H - T - B); };
    while (svg.lastChild && svg.lastChild.nodeName !== "title") svg.removeChild(svg.lastChild);
    var g = el("g", {"class": "rx-axes"});
    var xstep = x1 - x0 > 8 ? 2 : 1;
    for (var gx = Math.ceil(x0 / xstep) * xstep; gx <= x1; gx += xstep) {
      g.appendChild(el("line", {x1: sx(gx), x2: sx(gx), y1: T, y2: H - B,
                                "class": gx === 0 ? "rx-axis" : "rx-grid"}));
      g.appendChild(el("text", {x: sx(gx), y: H - B + 16, "text-anchor": "middle"},
                       String(gx)));
    }
    for (var k = Math.ceil(lo / step); k * step <= hi; k++) {
      var gy = k * step;
      g.appendChild(el("line", {x1: L, x2: W - R, y1: sy(gy), y2: sy(gy),
                                "class": k === 0 ? "rx-axis" : "rx-grid"}));
      g.appendChild(el("text", {x: L - 5, y: sy(gy) + 4, "text-anchor": "end"}, fmt(gy)));
    }
    svg.appendChild(g);
    var span = hi - lo;
    [["rx-f", fs], ["rx-d", ds]].forEach(function (pair) {
      var ys = pair[1], d = "";
      for (var j = 0; j < ys.length; j++) {
        var jump = j > 0 && Math.abs(ys[j] - ys[j - 1]) > 0.05 * span;
        d += (j === 0 || jump ? "M" : "L") + sx(xs[j]).toFixed(2) + " " +
             sy(ys[j]).toFixed(2);
      }
      svg.appendChild(el("path", {"class": pair[0], d: d, "data-y": ys.join(",")}));
    });
    svg.setAttribute("data-x", xs.join(","));
    svg.appendChild(el("circle", {"class": "rx-dot-d", cx: sx(0), cy: sy(act.dphi(0, p)),
                                  r: 4}));
    svg.appendChild(el("circle", {"class": "rx-dot-f", cx: sx(0), cy: sy(act.phi(0, p)),
                                  r: 4.5}));
    var legend = el("g", {"class": "rx-legend"});
    legend.appendChild(el("rect", {x: L + 8, y: T + 6, width: 84, height: 44, rx: 4}));
    legend.appendChild(el("line", {x1: L + 16, x2: L + 40, y1: T + 20, y2: T + 20,
                                   "class": "rx-f"}));
    legend.appendChild(el("text", {x: L + 46, y: T + 24}, "\u03c6(x)"));
    legend.appendChild(el("line", {x1: L + 16, x2: L + 40, y1: T + 38, y2: T + 38,
                                   "class": "rx-d"}));
    legend.appendChild(el("text", {x: L + 46, y: T + 42}, "\u03c6\u2032(x)"));
    svg.appendChild(legend);
  }

  // ---- one explorer ----------------------------------------------------------------------
  function init(root) {
    if (root.getAttribute("data-ready") === "yes") return;
    root.setAttribute("data-ready", "yes");
    var select = root.querySelector(".rx-select");
    var sliders = root.querySelector(".rx-sliders");
    var svg = root.querySelector(".rx-plot");
    var state = {name: root.getAttribute("data-initial"), params: {}};

    function readout(cls, value, text) {
      var node = root.querySelector(cls);
      node.setAttribute("data-value", String(value));
      node.textContent = text;
    }
    function update() {
      var name = state.name, a = BY_NAME[name];
      draw(svg, name, state.params);
      root.querySelector(".rx-formula").textContent =
        ACTIVATIONS[name].text + " \u2014 chapter " + a.chapter;
      svg.setAttribute("aria-label", a.label + " (solid) and its derivative (dashed) " +
                       "on [" + a.x_range[0] + ", " + a.x_range[1] + "]");
      var f0 = phi(name, 0, state.params), d0 = dphi(name, 0, state.params);
      var fr = fractions(name, state.params);
      readout(".rx-phi0", f0, f0.toFixed(4));
      readout(".rx-dphi0", d0, d0.toFixed(4));
      readout(".rx-zeroed", fr.zeroed, (100 * fr.zeroed).toFixed(2) + "%");
      readout(".rx-saturated", fr.saturated, (100 * fr.saturated).toFixed(2) + "%");
    }
    function buildSliders() {
      while (sliders.firstChild) sliders.removeChild(sliders.firstChild);
      state.params = {};
      BY_NAME[state.name].params.forEach(function (q) {
        state.params[q.name] = q.value;
        var label = document.createElement("label");
        label.className = "rx-slider";
        var caption = document.createElement("span");
        caption.textContent = q.name.replace(/_/g, " ");
        var input = document.createElement("input");
        input.type = "range";
        input.min = q.min; input.max = q.max; input.step = q.step; input.value = q.value;
        input.setAttribute("data-param", q.name);
        var out = document.createElement("output");
        out.textContent = String(q.value);
        input.addEventListener("input", function () {
          state.params[q.name] = Number(input.value);
          out.textContent = input.value;
          update();
        });
        label.appendChild(caption); label.appendChild(input); label.appendChild(out);
        sliders.appendChild(label);
      });
      if (!BY_NAME[state.name].params.length) {
        var none = document.createElement("span");
        none.className = "rx-noparams";
        none.textContent = "no parameters to set";
        sliders.appendChild(none);
      }
    }
    select.value = state.name;
    select.addEventListener("change", function () {
      state.name = select.value;
      buildSliders();
      update();
    });
    buildSliders();
    update();
    var width = svg.clientWidth;
    window.addEventListener("resize", function () {
      if (svg.clientWidth !== width) {
        width = svg.clientWidth;
        update();
      }
    });
    // For tests and curious readers: the same formulas the plot uses.
    root.reluExplorer = {
      spec: SPEC, erf: erf, phi: phi, dphi: dphi, fractions: fractions,
      state: function () { return {name: state.name, params: fullParams(state.name,
                                                                          state.params)}; }
    };
  }

  var script = document.currentScript;
  var root = script && script.parentElement;
  if (root && root.classList.contains("relu-explorer")) {
    init(root);
  } else {
    document.querySelectorAll(".relu-explorer").forEach(init);
  }
})();
