//! Pure: what a client asked the resolver for, and the linkset.

use serde_json::{json, Value};

use crate::lots::LotView;

/// What a client asked the resolver for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wanted {
    Page,
    Record,
    Linkset,
    Epcis,
    /// Where to POST a record for checking.
    Verification,
}

/// Decides from `?linkType=` first, then `Accept`. Machines asking for JSON
/// get the signed record (SPEC), `application/linkset+json` the linkset.
pub fn negotiate(link_type: Option<&str>, accept: &str) -> Option<Wanted> {
    if let Some(t) = link_type {
        return match t {
            "linkset" | "all" => Some(Wanted::Linkset),
            "gs1:pip" | "gs1:defaultLink" => Some(Wanted::Page),
            "gs1:traceability" | "gs1:certificationInfo" => Some(Wanted::Record),
            "gs1:epcis" => Some(Wanted::Epcis),
            "gs1:verificationService" => Some(Wanted::Verification),
            _ => None,
        };
    }
    let accept = accept.to_ascii_lowercase();
    let has = |m: &str| accept.split(',').any(|part| part.split(';').next().is_some_and(|x| x.trim() == m));
    if has("application/linkset+json") {
        Some(Wanted::Linkset)
    } else if has("application/json")
        || has("application/ld+json")
        || has("application/vc")
        || has("application/vc+ld+json")
    {
        Some(Wanted::Record)
    } else {
        Some(Wanted::Page)
    }
}

pub fn linkset(uri: &str, lot: &LotView, public_url: &str) -> Value {
    let link = |href: String, title: &str, media: &str| json!([{ "href": href, "title": title, "type": media, "hreflang": ["vi"] }]);
    let record = format!("{public_url}/api/v1/lots/{}/record", lot.id);
    json!({
        "linkset": [{
            "anchor": uri,
            "https://gs1.org/voc/defaultLink": link(uri.to_string(), &format!("{} — nguồn gốc", lot.product_name), "text/html"),
            "https://gs1.org/voc/pip": link(uri.to_string(), "Trang nguồn gốc sản phẩm", "text/html"),
            "https://gs1.org/voc/traceability": link(record.clone(), "Bản ghi nguồn gốc có chữ ký (W3C VC, eddsa-jcs-2022)", "application/vc+ld+json"),
            "https://gs1.org/voc/certificationInfo": link(record, "Bản ghi có chữ ký số", "application/vc+ld+json"),
            "https://gs1.org/voc/epcis": link(format!("{public_url}/api/v1/lots/{}/epcis", lot.id), "Sự kiện EPCIS 2.0", "application/ld+json"),
            "https://gs1.org/voc/verificationService": link(format!("{public_url}/api/v1/verify"), "Kiểm tra bản ghi (POST)", "application/json"),
        }]
    })
}

/// A request's query string without `linkType`, for a redirect (GS1
/// resolvers pass the query on), with its `?`; empty when nothing is left.
pub fn passed_on_query(query_string: &str) -> String {
    let kept: Vec<&str> = query_string
        .split('&')
        .filter(|pair| !pair.is_empty() && pair.split('=').next() != Some("linkType"))
        .collect();
    if kept.is_empty() {
        String::new()
    } else {
        format!("?{}", kept.join("&"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_negotiation_follows_spec_and_gs1() {
        assert_eq!(negotiate(None, "text/html,application/xhtml+xml"), Some(Wanted::Page));
        assert_eq!(negotiate(None, ""), Some(Wanted::Page));
        assert_eq!(negotiate(None, "application/json"), Some(Wanted::Record));
        assert_eq!(negotiate(None, "application/ld+json;q=0.9"), Some(Wanted::Record));
        assert_eq!(negotiate(None, "application/vc"), Some(Wanted::Record));
        assert_eq!(negotiate(None, "application/linkset+json"), Some(Wanted::Linkset));
        assert_eq!(negotiate(Some("linkset"), "text/html"), Some(Wanted::Linkset));
        assert_eq!(negotiate(Some("all"), ""), Some(Wanted::Linkset));
        assert_eq!(negotiate(Some("gs1:epcis"), ""), Some(Wanted::Epcis));
        assert_eq!(negotiate(Some("gs1:nonsense"), ""), None);
    }

    #[test]
    fn redirects_pass_the_query_on_without_link_type() {
        assert_eq!(passed_on_query("linkType=gs1:epcis&lang=vi"), "?lang=vi");
        assert_eq!(passed_on_query("linkType=gs1:epcis"), "");
        assert_eq!(passed_on_query(""), "");
    }
}
