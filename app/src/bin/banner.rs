//! The banner: mounts into an open shadow root (so the host page's CSS cannot reach it and
//! Leptos's window-level event delegation still sees events through `composedPath()`).

fn main() {
    assent_app::components::banner::mount();
}
