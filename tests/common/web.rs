//! The dashboard as a browser uses it, for the web tests: a client that follows no redirects
//! (so a test sees each 303 and where it leads), the sign-in form posted with its double-submit
//! cookie and `_csrf` field, then a session cookie sent with every page and the page's CSRF
//! token with every form; and the scan of a page for what the Content-Security-Policy forbids.

use super::{PASSWORD, TestApp};

/// A browser's view of the dashboard: its session cookie and the page's CSRF token.
pub struct Browser {
    pub base: String,
    pub http: reqwest::Client,
    pub cookie: String,
    pub csrf: String,
}

/// A client as a browser behaves for these tests: it does not follow redirects, so the 303 of
/// a form and its Location are seen.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The value of `name=` in a response's Set-Cookie headers, with the whole header.
pub fn set_cookie(r: &reqwest::Response, name: &str) -> Option<(String, String)> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| {
            let value = v[name.len() + 1..].split(';').next().unwrap().to_string();
            (value, v.to_string())
        })
}

/// The value of an HTML attribute that follows `marker` (`name="x" value="`).
pub fn field_value(html: &str, marker: &str) -> String {
    let at = html.find(marker).expect(marker) + marker.len();
    html[at..].split('"').next().unwrap().to_string()
}

/// The first hidden `_csrf` field of a page.
pub fn csrf_field(html: &str) -> String {
    field_value(html, "name=\"_csrf\" value=\"")
}

/// GET /login, then POST the form; the raw answer to the POST.
pub async fn post_login(app: &TestApp, email: &str, password: &str) -> reqwest::Response {
    let http = client();
    let r = http.get(app.url("/login")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let (login_cookie, _) = set_cookie(&r, "careline_login_csrf").expect("login cookie");
    let token = csrf_field(&r.text().await.unwrap());
    http.post(app.url("/login"))
        .header("cookie", format!("careline_login_csrf={login_cookie}"))
        .form(&[("email", email), ("password", password), ("_csrf", &token)])
        .send()
        .await
        .unwrap()
}

/// Sign in through the form (every staff role lands on `/`) and read the CSRF token of the
/// first page.
pub async fn sign_in(app: &TestApp, email: &str) -> Browser {
    let r = post_login(app, email, PASSWORD).await;
    assert_eq!(r.status(), 303, "sign-in of {email}");
    assert_eq!(r.headers()["location"], "/");
    let (cookie, _) = set_cookie(&r, "careline_session").expect("session cookie");
    let mut b = Browser {
        base: app.base.clone(),
        http: client(),
        cookie,
        csrf: String::new(),
    };
    let (status, html) = b.get("/").await;
    assert_eq!(status, 200, "{html}");
    b.csrf = csrf_field(&html);
    b
}

impl Browser {
    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.base))
            .header("cookie", format!("careline_session={}", self.cookie))
    }

    /// A page: its status and HTML.
    pub async fn get(&self, path: &str) -> (u16, String) {
        let r = self.get_raw(path).await;
        (r.status().as_u16(), r.text().await.unwrap())
    }

    /// The whole answer to a GET, headers and all.
    pub async fn get_raw(&self, path: &str) -> reqwest::Response {
        self.request(reqwest::Method::GET, path)
            .send()
            .await
            .unwrap()
    }

    /// A GET with a Range header, as an audio player seeks.
    pub async fn get_range(&self, path: &str, range: &str) -> reqwest::Response {
        self.request(reqwest::Method::GET, path)
            .header("range", range)
            .send()
            .await
            .unwrap()
    }

    /// Submit a form the way the page does (with its CSRF field unless `csrf` is false).
    pub async fn post_form(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        csrf: bool,
    ) -> reqwest::Response {
        let mut form: Vec<(&str, &str)> = Vec::new();
        if csrf {
            form.push(("_csrf", &self.csrf));
        }
        form.extend_from_slice(fields);
        self.request(reqwest::Method::POST, path)
            .form(&form)
            .send()
            .await
            .unwrap()
    }

    /// Submit a form the way the page does (with its CSRF field).
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.post_form(path, fields, true).await
    }

    /// `post`, read: status, Location (empty when none) and body.
    pub async fn submit(&self, path: &str, fields: &[(&str, &str)]) -> (u16, String, String) {
        let r = self.post(path, fields).await;
        let location = r
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_string())
            .unwrap_or_default();
        (r.status().as_u16(), location, r.text().await.unwrap())
    }
}

/// Scan a page for what the CSP forbids and what would break it: inline scripts and styles,
/// `on…=` handler attributes, `javascript:` links, and anything loaded from another origin.
pub fn csp_problems(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut problems = Vec::new();
    let mut rest = lower.as_str();
    while let Some(at) = rest.find("<script") {
        let tag_end = rest[at..].find('>').map(|e| at + e).unwrap_or(rest.len());
        let tag = &rest[at..tag_end];
        if !tag.contains(" src=\"/") {
            problems.push(format!("script without a same-origin src: {tag}"));
        }
        let body_end = rest[tag_end..].find("</script>").map(|e| tag_end + e);
        if let Some(end) = body_end
            && rest[tag_end + 1..end].trim() != ""
        {
            problems.push("inline script body".into());
        }
        rest = &rest[tag_end..];
    }
    if lower.contains("<style") {
        problems.push("a <style> element".into());
    }
    if lower.contains(" style=") {
        problems.push("a style attribute".into());
    }
    if lower.contains("javascript:") {
        problems.push("a javascript: URL".into());
    }
    for (i, _) in lower.match_indices(" on") {
        let name: String = lower[i + 3..]
            .chars()
            .take_while(|c| c.is_ascii_alphabetic())
            .collect();
        if !name.is_empty() && lower[i + 3 + name.len()..].starts_with('=') {
            problems.push(format!("an on{name}= attribute"));
        }
    }
    for attr in ["src=\"http", "href=\"http", "src=\"//", "href=\"//"] {
        if lower.contains(attr) {
            problems.push(format!("something loaded from elsewhere ({attr})"));
        }
    }
    problems
}
