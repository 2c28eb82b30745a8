// Resumable uploads (tus, via tus-js-client) for templates/includes/uploader.html.
// Each chosen file is sent to /uploads/ in 8 MB PATCHes; a dropped connection is retried, and
// a closed tab resumes: tus-js-client remembers the upload by the file's fingerprint in
// localStorage, and re-selecting the same file continues from the server's offset.
// When a file finishes, <input type=hidden name=NAME value=UPLOAD_ID> joins the form.
(function () {
  "use strict";
  if (window.PartyUploader) {
    window.PartyUploader.initAll(document);
    return;
  }

  const CHUNK_SIZE = 8 * 1024 * 1024;
  // Waits (ms) before each retry after a dropped connection; a page (or a test) may set
  // window.PartyUploaderOptions = { retryDelays: [...] } before this script runs.
  const RETRY_DELAYS = (window.PartyUploaderOptions && window.PartyUploaderOptions.retryDelays) ||
    [0, 1000, 3000, 5000, 10000, 20000];

  function csrfToken(widget) {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return (match && decodeURIComponent(match[1])) || widget.dataset.csrf || "";
  }

  function mb(bytes) {
    return (bytes / 1024 / 1024).toFixed(bytes >= 100 * 1024 * 1024 ? 0 : 1);
  }

  function serverMessage(error) {
    const response = error && error.originalResponse;
    if (response) {
      const body = response.getBody && response.getBody();
      if (body && body.length < 300 && !/<html/i.test(body)) return body;
      return "服务器返回 " + response.getStatus();
    }
    return "网络连接中断";
  }

  // Submit buttons of a form stay disabled while any of its uploads is in flight.
  function refreshForm(form) {
    if (!form) return;
    const busy = form.querySelectorAll(".uploader-file[data-state=uploading]").length > 0;
    form.querySelectorAll("button[type=submit], input[type=submit]").forEach((button) => {
      if (busy) {
        if (!button.disabled) {
          button.disabled = true;
          button.dataset.uploaderDisabled = "1";
        }
      } else if (button.dataset.uploaderDisabled) {
        button.disabled = false;
        delete button.dataset.uploaderDisabled;
      }
    });
  }

  function startFile(widget, file) {
    const form = widget.closest("form");
    const row = widget.querySelector("template[data-uploader-row]").content.firstElementChild.cloneNode(true);
    widget.querySelector("[data-uploader-list]").appendChild(row);
    const nameEl = row.querySelector(".uploader-name");
    const statusEl = row.querySelector(".uploader-status");
    const detailEl = row.querySelector(".uploader-detail");
    const progress = row.querySelector(".progress");
    const bar = row.querySelector(".progress-bar");
    const resumeButton = row.querySelector(".uploader-resume");
    const cancelButton = row.querySelector(".uploader-cancel");
    nameEl.textContent = file.name + "（" + mb(file.size) + " MB）";

    let samples = []; // [time ms, bytes] over the last few seconds, for MB/s
    let hidden = null;

    function setState(state, text, tone) {
      row.dataset.state = state;
      statusEl.textContent = text;
      statusEl.className = "uploader-status small " + (tone || "text-body-secondary");
      refreshForm(form);
    }

    function setProgress(sent, total) {
      const percent = total ? Math.floor((sent / total) * 100) : 100;
      bar.style.width = percent + "%";
      bar.textContent = percent + "%";
      progress.setAttribute("aria-valuenow", String(percent));
      const now = performance.now();
      samples.push([now, sent]);
      samples = samples.filter((s) => now - s[0] <= 3000);
      let speed = "";
      if (samples.length > 1) {
        const [t0, b0] = samples[0];
        const seconds = (now - t0) / 1000;
        if (seconds > 0) speed = "，" + ((sent - b0) / 1024 / 1024 / seconds).toFixed(1) + " MB/s";
      }
      detailEl.textContent = mb(sent) + " / " + mb(total) + " MB" + speed;
    }

    const upload = new tus.Upload(file, {
      endpoint: widget.dataset.endpoint,
      chunkSize: CHUNK_SIZE,
      retryDelays: RETRY_DELAYS,
      metadata: { filename: file.name, filetype: file.type || "application/octet-stream" },
      headers: { "X-CSRFToken": csrfToken(widget) },
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: false,
      onProgress(sent, total) {
        if (row.dataset.state !== "uploading") setState("uploading", "上传中…");
        setProgress(sent, total);
      },
      onShouldRetry(error) {
        const status = error.originalResponse ? error.originalResponse.getStatus() : 0;
        const retry = !(status >= 400 && status < 500 && status !== 409 && status !== 423);
        if (retry) setState("uploading", "连接中断，正在重试…", "text-warning-emphasis");
        return retry;
      },
      onError(error) {
        const status = error.originalResponse ? error.originalResponse.getStatus() : 0;
        bar.classList.remove("progress-bar-animated");
        if (status >= 400 && status < 500) {
          setState("failed", "上传失败：" + serverMessage(error), "text-danger");
          bar.classList.add("bg-danger");
          resumeButton.classList.add("d-none");
        } else {
          setState("paused", "连接中断，可继续上传", "text-warning-emphasis");
          resumeButton.classList.remove("d-none");
        }
      },
      onSuccess() {
        const id = upload.url.replace(/\/+$/, "").split("/").pop();
        setProgress(file.size, file.size);
        bar.classList.remove("progress-bar-animated", "progress-bar-striped");
        bar.classList.add("bg-success");
        setState("done", "已完成", "text-success");
        cancelButton.textContent = "移除";
        hidden = document.createElement("input");
        hidden.type = "hidden";
        hidden.name = widget.dataset.name;
        hidden.value = id;
        hidden.dataset.filename = file.name;
        widget.querySelector("[data-uploader-values]").appendChild(hidden);
        widget.dispatchEvent(new CustomEvent("uploader:done", { bubbles: true, detail: { id, file } }));
      },
    });

    resumeButton.addEventListener("click", () => {
      resumeButton.classList.add("d-none");
      bar.classList.add("progress-bar-animated");
      setState("uploading", "上传中…");
      upload.start();
    });
    cancelButton.addEventListener("click", () => {
      if (row.dataset.state === "done") {
        if (hidden) hidden.remove();
        row.remove();
        refreshForm(form);
        return;
      }
      // Stop and tell the server to drop what it has (tus termination).
      upload.abort(true).catch(() => {});
      row.remove();
      refreshForm(form);
    });

    setState("uploading", "连接中…");
    upload.findPreviousUploads().then((previous) => {
      if (previous.length) {
        previous.sort((a, b) => (a.creationTime < b.creationTime ? 1 : -1));
        upload.resumeFromPreviousUpload(previous[0]);
        detailEl.textContent = "发现未完成的上传，可继续上传：从断点继续…";
      }
      upload.start();
    });
  }

  function init(widget) {
    if (widget.dataset.uploaderReady) return;
    widget.dataset.uploaderReady = "1";
    const input = widget.querySelector("[data-uploader-input]");
    input.addEventListener("change", () => {
      Array.from(input.files).forEach((file) => startFile(widget, file));
      input.value = "";
    });
    const form = widget.closest("form");
    if (form) {
      form.addEventListener("submit", (event) => {
        if (form.querySelector(".uploader-file[data-state=uploading]")) {
          event.preventDefault();
          event.stopImmediatePropagation();
        }
      }, true);
    }
  }

  function initAll(root) {
    root.querySelectorAll("[data-uploader]").forEach(init);
  }

  window.PartyUploader = { initAll };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => initAll(document));
  } else {
    initAll(document);
  }
  document.addEventListener("htmx:load", (event) => initAll(event.target));
})();
