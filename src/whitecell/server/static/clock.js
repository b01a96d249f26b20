// The turn clock: counts down every element with data-seconds-left (whitecell's own).
(function () {
  function tick() {
    document.querySelectorAll("[data-seconds-left]").forEach(function (el) {
      if (el.dataset.paused === "1") { return; }
      var left = Math.max(0, parseFloat(el.dataset.secondsLeft) - 1);
      el.dataset.secondsLeft = String(left);
      var m = Math.floor(left / 60), s = Math.floor(left % 60);
      el.textContent = m + ":" + (s < 10 ? "0" : "") + s;
      var warn = parseFloat(el.dataset.warning || "0");
      el.classList.toggle("warning", left <= warn);
      el.classList.toggle("expired", left <= 0);
    });
  }
  setInterval(tick, 1000);
})();
