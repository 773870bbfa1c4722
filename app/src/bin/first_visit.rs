//! The banner's consent context without its views, for a first visit (`assent_app::first_visit`).

fn main() {
    assent_app::first_visit::start();
}
