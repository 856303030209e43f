//! A plain HTTP client holding one web session, for what a browser would not send (forged
//! forms, other roles' pages), shared by the web interface's tests.

pub struct Session {
    pub client: reqwest::Client,
    pub base: String,
    /// `herald_session=…`, as a `Cookie` header sends it.
    pub cookie: String,
    /// The session's CSRF token, read from a page's forms.
    pub csrf: String,
}

impl Session {
    /// Signs in with `token` at `base`; the session and the `Set-Cookie` it was given.
    pub async fn login(base: &str, token: &str) -> (Session, String) {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let response = client
            .post(format!("{base}/ui/login"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("token={token}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303);
        assert_eq!(response.headers()["location"], "/ui");
        let set_cookie = response.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .to_string();
        let cookie = set_cookie.split(';').next().unwrap().to_string();
        let mut session = Session {
            client,
            base: base.to_string(),
            cookie,
            csrf: String::new(),
        };
        let (status, page) = session.get("/ui").await;
        assert_eq!(status, 200, "{page}");
        session.csrf = page
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("every page's logout form carries the CSRF token")
            .to_string();
        (session, set_cookie)
    }

    pub async fn get(&self, path: &str) -> (u16, String) {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }

    pub async fn post(&self, path: &str, form: &str) -> (u16, String) {
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form.to_string())
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }
}
