### avr-nl-2027 — English (en)
### Source language of the campaign: every message and attribute starts here.

-iom = IOM
-dtv = Repatriation and Departure Service (DT&V)

avr-intro--a =
    Do you live in the Netherlands without a residence permit, or are you thinking about going back to your country? You can return voluntarily, with help. { -iom } counsellors can explain your options, and the { -dtv } can help you prepare for your journey.
    .title = Thinking about going home?
    .cta = See your options

avr-intro--b =
    Returning home is a big decision, and you do not have to make it alone. If you have no residence permit in the Netherlands, { -iom } can tell you what help is available if you choose to return voluntarily, such as help with travel documents and your ticket.
    .title = Assisted voluntary return: know your options
    .cta = Find out more

avr-counselling =
    Talking to an { -iom } counsellor is free, confidential and without obligation. You can ask your questions in your own language, or with an interpreter if you need one. A conversation does not mean that you have decided to return: you decide whether to apply for support.
    .title = Free and confidential advice
    .cta = Make an appointment

avr-travel =
    If you choose to return with support from { -iom }, you can get help to obtain travel documents, to book your journey and with assistance at the airport. The { -dtv } can also help you prepare your departure.
    .title = Help with your journey
    .cta = How it works

avr-reintegration =
    Depending on the country you return to and your situation, you may be eligible for reintegration support { $months ->
        [one] for up to { $months } month
       *[other] for up to { $months } months
    } after you arrive, for example to start a small business, to follow a training course or to find housing. A counsellor can tell you what applies to you. Support is not guaranteed for everyone.
    .title = Support after you return
    .cta = Check what applies to you
