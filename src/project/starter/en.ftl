### {campaign} — English
### status: draft
# A draft until someone reviews it; herald warns about drafts before approval.
intro--a = Free and confidential advice on returning home, in your language.
    .title = Know your options
    .cta = Read more
intro--b = You have options. Advice is free and confidential.
    .title = Know your options
    .cta = Read more
