//! The site owners' dashboard: mounts into `#assent-admin` on the page `/admin` serves.

fn main() {
    assent_app::admin::mount();
}
