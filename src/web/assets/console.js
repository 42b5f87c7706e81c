// Progressive enhancement for the staff console: live broadcast progress (server-sent events) and confirmations.
// Every page works without this script; the progress page then refreshes itself every two seconds.
(function () {
  'use strict';
  function text(id, value) {
    var el = document.getElementById(id);
    if (el) el.textContent = String(value);
  }
  function followProgress(box) {
    if (!window.EventSource) return;
    var source = new EventSource(box.getAttribute('data-events'));
    source.addEventListener('progress', function (ev) {
      var p = JSON.parse(ev.data);
      text('sent', p.sent);
      text('recipients', p.recipients);
      text('queued', p.queued);
      text('failed', p.failed);
      text('cancelled', p.cancelled);
      var bar = document.getElementById('bar');
      if (bar) {
        bar.max = Math.max(1, p.recipients);
        bar.value = p.recipients ? p.sent + p.failed + p.cancelled : 1;
      }
      if (p.done) {
        text('status', '已全部处理完毕。');
        var status = document.getElementById('status');
        if (status) status.className = 'ok';
        var cancel = document.getElementById('cancel-form');
        if (cancel) cancel.hidden = true;
      }
    });
    source.addEventListener('done', function () {
      source.close();
    });
    // On a dropped connection EventSource reconnects by itself; the stream ends with "done".
  }
  // The compose form shows how many subscribers the chosen tags reach, as they are ticked.
  function followReach(form) {
    var out = document.getElementById('reach-live');
    if (!out || !window.fetch) return;
    function update() {
      var params = new URLSearchParams();
      var boxes = form.querySelectorAll('input[name=tag]:checked');
      for (var i = 0; i < boxes.length; i++) params.append('tag', boxes[i].value);
      fetch('/api/reach?' + params.toString(), { credentials: 'same-origin' })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (j) { if (j) out.textContent = '将发送给 ' + j.recipients + ' 位' + (j.tags.length ? '所选标签的' : '') + '订阅者。'; })
        .catch(function () {});
    }
    form.addEventListener('change', update);
    update();
  }
  document.addEventListener('DOMContentLoaded', function () {
    var compose = document.getElementById('compose');
    if (compose) followReach(compose);
    var box = document.getElementById('progress');
    if (box) followProgress(box);
    var forms = document.querySelectorAll('form[data-confirm]');
    for (var i = 0; i < forms.length; i++) {
      forms[i].addEventListener('submit', function (ev) {
        if (!window.confirm(this.getAttribute('data-confirm'))) ev.preventDefault();
      });
    }
  });
})();
