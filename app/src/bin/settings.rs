//! The privacy-settings page: mounts into every `<div data-assent-settings>` of the page
//! (a site's own page, through `/embed.js`, or the page Assent hosts at `/sites/{site}/privacy`).

fn main() {
    assent_app::settings::mount();
    assent_app::settings::mount_later();
}
