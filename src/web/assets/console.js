// Progressive enhancement for the staff console: live broadcast progress (server-sent events) and confirmations.
// Every page works without this script; the progress page then refreshes itself every two seconds.
(function () {
  'use strict';
  function text(id, value) {
    var el = document.getElementById(id);
    if (el) el.textContent = String(value);
  }
  // The report, one line per reason, rebuilt from the stream with textContent only (never markup).
  function renderReport(lines, total) {
    var list = document.getElementById('report');
    if (!list || !lines) return;
    while (list.firstChild) list.removeChild(list.firstChild);
    for (var i = 0; i < lines.length; i++) {
      var li = document.createElement('li');
      li.className = 'line-' + lines[i].key;
      li.setAttribute('data-key', lines[i].key);
      var label = document.createElement('span');
      label.className = 'label';
      label.textContent = lines[i].label;
      var n = document.createElement('strong');
      n.textContent = String(lines[i].n);
      li.appendChild(label);
      li.appendChild(document.createTextNode(' '));
      li.appendChild(n);
      if (lines[i].detail) {
        var d = document.createElement('div');
        d.className = 'muted';
        d.textContent = lines[i].detail;
        li.appendChild(d);
      }
      list.appendChild(li);
    }
    var sum = document.createElement('li');
    sum.className = 'total';
    sum.textContent = '合计 ';
    var s = document.createElement('strong');
    s.textContent = String(total);
    sum.appendChild(s);
    list.appendChild(sum);
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
        bar.value = p.recipients ? p.recipients - p.queued : 1;
      }
      renderReport(p.lines, p.recipients);
      text('status', p.status);
      if (p.done) {
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
    // A form that acts (confirm, cancel) is sent once: the button is disabled on the first submit. The server sends
    // once anyway (the draft key); this only spares a second request.
    var once = document.querySelectorAll('form[data-once]');
    for (var j = 0; j < once.length; j++) {
      once[j].addEventListener('submit', function (ev) {
        if (this.getAttribute('data-sent')) {
          ev.preventDefault();
          return;
        }
        this.setAttribute('data-sent', '1');
        var buttons = this.querySelectorAll('button[type=submit]');
        var form = this;
        setTimeout(function () {
          for (var k = 0; k < buttons.length; k++) buttons[k].disabled = true;
        }, 0);
        // Back to this page from the browser's cache: the button works again.
        window.addEventListener('pageshow', function () {
          form.removeAttribute('data-sent');
          for (var k = 0; k < buttons.length; k++) buttons[k].disabled = false;
        });
      });
    }
    var forms = document.querySelectorAll('form[data-confirm]');
    for (var i = 0; i < forms.length; i++) {
      forms[i].addEventListener('submit', function (ev) {
        if (!window.confirm(this.getAttribute('data-confirm'))) ev.preventDefault();
      });
    }
  });
})();
