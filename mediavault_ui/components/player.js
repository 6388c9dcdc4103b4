// Two videos played in step: the left one leads, the right one follows it, `offset` seconds
// ahead (0 until a chapter is chosen: each file then seeks to its own chapter's start, and the
// two stay aligned there).
// Streamlit calls this function on every rerun with fresh `data`; the DOM persists, so sources are
// only (re)set when they change and handlers are assigned (not added) to stay single.
// File names are untrusted: they only ever reach the page through textContent.

const SYNC_INTERVAL_MS = 200;
const MAX_DRIFT_S = 0.25;
const STEP_S = 10;

function clock(seconds) {
  if (!Number.isFinite(seconds)) return "–";
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

export default function (component) {
  const { parentElement, data } = component;
  const root = parentElement.querySelector(".mv-player");
  if (!root) return;
  const sides = ["left", "right"].map((name) => {
    const figure = root.querySelector(`[data-side="${name}"]`);
    return {
      name,
      video: figure.querySelector("video"),
      label: figure.querySelector(".mv-label"),
      note: figure.querySelector(".mv-note"),
      spec: (data && data[name]) || {},
    };
  });
  const [left, right] = sides.map((s) => s.video);
  const seek = root.querySelector(".mv-seek");
  const time = root.querySelector(".mv-time");
  const playButton = root.querySelector('[data-act="play"]');
  const soundButton = root.querySelector('[data-act="sound"]');
  const chapterBar = root.querySelector(".mv-chapters");
  const chapters = (data && data.chapters) || [];

  for (const side of sides) {
    side.label.textContent = side.spec.label || "";
    side.label.title = side.spec.label || "";
    side.note.textContent = side.spec.note || "";
    side.note.classList.remove("mv-error");
    const src = side.spec.src || "";
    if (side.video.dataset.src !== src) {
      side.video.dataset.src = src;
      if (src) side.video.src = src;
      else side.video.removeAttribute("src");
      side.video.load();
      root._mvOffset = 0; // another file: the last chapter alignment no longer holds
    }
    side.video.onerror = () => {
      if (!src) return;
      side.note.textContent = "This video could not be loaded.";
      side.note.classList.add("mv-error");
    };
  }

  // The span both videos cover: seeking and the percent jumps stay inside it.
  const span = () => {
    const d = [left.duration, right.duration].filter(Number.isFinite);
    return d.length ? Math.min(...d) : NaN;
  };
  const offset = () => root._mvOffset || 0;
  const playing = () => !left.paused || !right.paused;
  const render = () => {
    const total = span();
    if (Number.isFinite(total) && total > 0 && document.activeElement !== seek) {
      seek.value = String(Math.round((left.currentTime / total) * 1000));
    }
    const drift = right.currentTime - left.currentTime - offset();
    root.dataset.drift = drift.toFixed(3);
    const shift = offset() ? ` · right ${offset() > 0 ? "+" : "−"}${Math.abs(offset()).toFixed(1)} s` : "";
    time.textContent = `${clock(left.currentTime)} / ${clock(total)}${shift}`;
    playButton.textContent = playing() ? "Pause" : "Play";
  };
  const place = (v, t) => {
    const end = Number.isFinite(v.duration) ? v.duration : t;
    v.currentTime = Math.min(Math.max(0, t), end);
  };
  const seekTo = (t) => {
    place(left, t);
    place(right, t + offset());
    render();
  };
  // A chapter only one file has: the other side follows at the same time.
  const seekChapter = (chapter, button) => {
    const leftStart = chapter.left ?? chapter.right;
    const rightStart = chapter.right ?? chapter.left;
    root._mvOffset = rightStart - leftStart;
    place(left, leftStart);
    place(right, rightStart);
    chapterBar.querySelectorAll("button").forEach((b) => b.classList.toggle("mv-active", b === button));
    render();
  };
  const togglePlay = () => {
    if (playing()) {
      left.pause();
      right.pause();
    } else {
      right.currentTime = left.currentTime + offset();
      Promise.all([left.play(), right.play()]).catch(() => {});
    }
  };
  const act = (button) => {
    const action = button.dataset.act;
    if (action === "play") togglePlay();
    else if (action === "back") seekTo(left.currentTime - STEP_S);
    else if (action === "forward") seekTo(left.currentTime + STEP_S);
    else if (action === "jump") seekTo(span() * Number(button.dataset.pct));
    else if (action === "sound") {
      const toRight = !left.muted;
      left.muted = toRight;
      right.muted = !toRight;
      soundButton.textContent = toRight ? "Sound: right" : "Sound: left";
    }
  };
  root.querySelectorAll("button[data-act]").forEach((b) => {
    b.onclick = () => act(b);
  });
  seek.oninput = () => seekTo((Number(seek.value) / 1000) * span());

  // Chapter buttons, rebuilt only when the list changes (labels are file data: textContent).
  const chapterKey = JSON.stringify(chapters);
  if (chapterBar.dataset.chapters !== chapterKey) {
    chapterBar.dataset.chapters = chapterKey;
    chapterBar.querySelectorAll("button").forEach((b) => b.remove());
    chapters.forEach((chapter, index) => {
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.chapter = String(index);
      button.textContent = chapter.label;
      button.title = `Left ${clock(chapter.left ?? chapter.right)} · right ${clock(chapter.right ?? chapter.left)}`;
      chapterBar.appendChild(button);
    });
    chapterBar.hidden = chapters.length === 0;
  }
  chapterBar.querySelectorAll("button[data-chapter]").forEach((b) => {
    b.onclick = () => seekChapter(chapters[Number(b.dataset.chapter)], b);
  });
  // Either side ending or stalling pauses or holds the other, so they never drift apart.
  left.onended = () => right.pause();
  right.onended = () => left.pause();
  for (const v of [left, right]) {
    v.ontimeupdate = render;
    v.onloadedmetadata = render;
    v.onplay = render;
    v.onpause = render;
  }

  const onKey = (event) => {
    const target = event.composedPath()[0];
    const tag = (target && target.tagName) || "";
    if (/^(INPUT|TEXTAREA|SELECT)$/.test(tag) || (target && target.isContentEditable)) return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === " ") togglePlay();
    else if (event.key === "ArrowLeft") seekTo(left.currentTime - STEP_S);
    else if (event.key === "ArrowRight") seekTo(left.currentTime + STEP_S);
    else return;
    event.preventDefault();
  };
  if (root._mvKeys) document.removeEventListener("keydown", root._mvKeys);
  root._mvKeys = onKey;
  document.addEventListener("keydown", onKey);

  clearInterval(root._mvTimer);
  root._mvTimer = setInterval(() => {
    if (left.paused || right.paused || left.ended || right.ended) return;
    if (Math.abs(right.currentTime - left.currentTime - offset()) > MAX_DRIFT_S) {
      right.currentTime = left.currentTime + offset();
    }
  }, SYNC_INTERVAL_MS);
  render();

  return () => {
    clearInterval(root._mvTimer);
    document.removeEventListener("keydown", root._mvKeys);
    left.pause();
    right.pause();
  };
}
