// Live log tail for the logs page. The server renders the last lines into the panel's <pre>;
// this opens the socket the panel's data-ws-path names (/apps/:app/logs/ws, under /hosts/:host
// on a named host) and appends what dokku prints from then on. Lines are built with
// textContent, never parsed as HTML. The stream closes when the panel leaves the page (hx-boost
// navigation, a new filter) or the page is hidden for good (pagehide).
(function () {
  'use strict'

  var STREAM = '[data-log-stream]'

  function Stream (panel) {
    this.panel = panel
    this.pre = panel.querySelector('[data-log-output]')
    this.status = panel.querySelector('[data-log-status]')
    this.controls = panel.querySelector('[data-log-controls]')
    this.pauseButton = panel.querySelector('[data-log-action="pause"]')
    this.reconnectButton = panel.querySelector('[data-log-action="reconnect"]')
    this.maxLines = Math.max(100, parseInt(panel.getAttribute('data-max-lines'), 10) || 5000)
    this.since = panel.getAttribute('data-since') || ''
    this.lines = panel.getAttribute('data-lines') || '100'
    this.ws = null
    this.paused = false
    this.stopped = false
    this.queue = [] // lines received, waiting for the next frame (or for resume)
    this.frame = 0
    this.dropped = 0
    this.finalState = null
  }

  Stream.prototype.url = function () {
    var q = ['lines=' + encodeURIComponent(this.lines)]
    var proc = this.panel.getAttribute('data-process')
    if (proc) q.push('process=' + encodeURIComponent(proc))
    if (this.since) q.push('since=' + encodeURIComponent(this.since))
    return (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host +
      this.panel.getAttribute('data-ws-path') + '?' + q.join('&')
  }

  Stream.prototype.setStatus = function (state, text) {
    this.status.setAttribute('data-state', state)
    this.status.textContent = text
    this.reconnectButton.hidden = !(state === 'disconnected' || state === 'error' || state === 'ended')
    this.pauseButton.disabled = state !== 'live' && state !== 'paused'
  }

  Stream.prototype.connect = function () {
    var self = this
    if (this.stopped) return
    this.finalState = null
    this.setStatus('connecting', 'Connecting…')
    var ws
    try {
      ws = new WebSocket(this.url())
    } catch (e) {
      this.setStatus('error', 'Live updates are not available here: reload the page for newer lines.')
      return
    }
    this.ws = ws
    ws.onopen = function () {
      if (ws !== self.ws) return
      self.setStatus(self.paused ? 'paused' : 'live', self.paused ? self.pausedText() : 'Live')
    }
    ws.onmessage = function (e) {
      if (ws !== self.ws) return
      if (!document.body.contains(self.panel)) { self.stop(); return }
      var msg
      try { msg = JSON.parse(e.data) } catch (err) { return }
      if (!msg || typeof msg !== 'object') return
      if (msg.type === 'line' && typeof msg.text === 'string') {
        if (typeof msg.timestamp === 'string') self.since = msg.timestamp
        self.enqueue(msg)
      } else if (msg.type === 'notice' && typeof msg.message === 'string') {
        self.enqueue({ text: '— ' + msg.message + ' —', notice: true })
      } else if (msg.type === 'end') {
        self.finalState = ['ended', typeof msg.message === 'string' ? msg.message : 'The log stream ended.']
      } else if (msg.type === 'error') {
        self.finalState = ['error', typeof msg.message === 'string' ? msg.message : 'The log stream failed.']
      }
    }
    ws.onclose = function (e) {
      if (ws !== self.ws) return
      self.ws = null
      if (self.stopped) return
      if (self.finalState) self.setStatus(self.finalState[0], self.finalState[1])
      else self.setStatus('disconnected', 'Disconnected' + (e.reason ? ': ' + e.reason : '') + '.')
    }
  }

  Stream.prototype.pausedText = function () {
    var n = this.queue.length
    return 'Paused' + (n > 0 ? ': ' + n + ' new line' + (n === 1 ? '' : 's') + ' waiting' : '') +
      (this.dropped > 0 ? ' (' + this.dropped + ' older dropped)' : '')
  }

  Stream.prototype.enqueue = function (line) {
    this.queue.push(line)
    if (this.queue.length > this.maxLines) {
      this.dropped += this.queue.length - this.maxLines
      this.queue.splice(0, this.queue.length - this.maxLines)
    }
    if (this.paused) {
      if (this.ws) this.setStatus('paused', this.pausedText())
      return
    }
    this.schedule()
  }

  Stream.prototype.schedule = function () {
    var self = this
    if (this.frame) return
    // One DOM update per frame, however fast lines arrive (a hidden tab just queues them).
    this.frame = window.requestAnimationFrame(function () {
      self.frame = 0
      self.flush()
    })
  }

  Stream.prototype.flush = function () {
    if (this.queue.length === 0 || this.paused) return
    var pre = this.pre
    var atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 8
    var fragment = document.createDocumentFragment()
    for (var i = 0; i < this.queue.length; i++) fragment.appendChild(lineElement(this.queue[i]))
    this.queue = []
    this.dropped = 0
    pre.appendChild(fragment)
    var extra = pre.childNodes.length - this.maxLines
    while (extra-- > 0 && pre.firstChild) pre.removeChild(pre.firstChild)
    if (atBottom) pre.scrollTop = pre.scrollHeight
  }

  Stream.prototype.togglePause = function () {
    this.paused = !this.paused
    this.pauseButton.textContent = this.paused ? 'Resume' : 'Pause'
    this.pauseButton.setAttribute('aria-pressed', this.paused ? 'true' : 'false')
    if (!this.paused) this.flush()
    if (!this.ws || this.ws.readyState !== 1) return
    this.setStatus(this.paused ? 'paused' : 'live', this.paused ? this.pausedText() : 'Live')
  }

  Stream.prototype.clear = function () {
    this.queue = []
    this.dropped = 0
    this.pre.textContent = ''
    if (this.paused && this.ws) this.setStatus('paused', this.pausedText())
  }

  Stream.prototype.reconnect = function () {
    if (this.ws) return
    // From the last line seen, the server sends what was missed (up to 100 lines per container).
    this.lines = '100'
    this.connect()
  }

  Stream.prototype.stop = function () {
    this.stopped = true
    if (this.frame) window.cancelAnimationFrame(this.frame)
    this.frame = 0
    var ws = this.ws
    this.ws = null
    if (ws && ws.readyState <= 1) ws.close(1000, 'page left')
  }

  function lineElement (line) {
    var el = document.createElement('span')
    el.className = line.notice ? 'log-line log-notice' : 'log-line'
    if (!line.notice && typeof line.timestamp === 'string' && typeof line.process === 'string') {
      var ts = document.createElement('span')
      ts.className = 'log-ts'
      ts.textContent = line.timestamp
      var proc = document.createElement('span')
      var colour = Number(line.colour)
      proc.className = 'log-proc c' + (colour >= 0 && colour < 5 ? Math.floor(colour) : 0)
      proc.textContent = line.process
      el.appendChild(ts)
      el.appendChild(document.createTextNode(' '))
      el.appendChild(proc)
      el.appendChild(document.createTextNode(' ' + (typeof line.message === 'string' ? line.message : '') + '\n'))
    } else {
      el.textContent = line.text + '\n'
    }
    return el
  }

  function start (panel) {
    if (panel.docklightLogStream) return
    var stream = new Stream(panel)
    if (!stream.pre || !stream.status || !stream.controls || !stream.pauseButton || !stream.reconnectButton) return
    panel.docklightLogStream = stream
    stream.controls.hidden = false
    stream.pre.scrollTop = stream.pre.scrollHeight
    stream.connect()
  }

  function stopPanel (panel) {
    var stream = panel.docklightLogStream
    if (!stream) return
    stream.stop()
    // Coming back (bfcache) resumes from the last line seen, not from the page's first load.
    if (stream.since) panel.setAttribute('data-since', stream.since)
    panel.setAttribute('data-lines', '100')
    panel.docklightLogStream = null
  }

  function scan (root) {
    if (!root || !root.querySelectorAll) root = document
    if (root.matches && root.matches(STREAM)) start(root)
    var panels = root.querySelectorAll(STREAM)
    for (var i = 0; i < panels.length; i++) start(panels[i])
  }

  // The buttons, wired by data attributes (the CSP allows no inline handlers).
  document.addEventListener('click', function (e) {
    var button = e.target && e.target.closest ? e.target.closest('[data-log-action]') : null
    if (!button) return
    var panel = button.closest(STREAM)
    var stream = panel && panel.docklightLogStream
    if (!stream) return
    var action = button.getAttribute('data-log-action')
    if (action === 'pause') stream.togglePause()
    else if (action === 'clear') stream.clear()
    else if (action === 'reconnect') stream.reconnect()
  })

  // htmx removes the panel (boosted navigation, a new filter): close its socket, so the server
  // stops the dokku process at once.
  document.addEventListener('htmx:beforeCleanupElement', function (e) {
    var el = e.target
    if (el && el.nodeType === 1 && el.matches(STREAM)) stopPanel(el)
  })
  window.addEventListener('pagehide', function () {
    var panels = document.querySelectorAll(STREAM)
    for (var i = 0; i < panels.length; i++) stopPanel(panels[i])
  })
  // Back from the bfcache: the old socket is gone, open a new one.
  window.addEventListener('pageshow', function (e) {
    if (e.persisted) scan(document)
  })

  document.addEventListener('htmx:load', function (e) { scan(e.target) })
  document.addEventListener('DOMContentLoaded', function () { scan(document) })
})()
