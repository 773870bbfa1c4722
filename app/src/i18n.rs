//! The banner's own words (buttons, labels). The server sends them resolved for the notice's
//! language (`NoticeResponse::texts`, from `assent_shared::ui_texts`), so the banner carries
//! no translations; the notice supplies the title, body and purpose texts. Their keys are
//! `assent_shared::banner_texts`'.

use assent_shared::banner_texts::BannerTexts;
use std::collections::BTreeMap;

/// The banner's words for the page's lifetime.
pub type Texts = BannerTexts<'static>;

/// Built once per page from the notice's texts; they live as long as the page, which lets
/// components keep `&'static` texts.
pub fn leak(map: &BTreeMap<String, String>) -> &'static Texts {
    let map: &'static BTreeMap<String, String> = Box::leak(Box::new(map.clone()));
    Box::leak(Box::new(BannerTexts::from_map(map)))
}
