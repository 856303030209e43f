### avr-nl-2027 — Somali (so)
### status: draft
### Review needed: a native Somali speaker should check the whole file for accuracy, spelling and register, the plural forms in avr-reintegration, and the Somali names of IOM and DT&V.

-iom = IOM (Hay'adda Caalamiga ah ee Socdaalka)
-dtv = Adeegga Celinta iyo Ka-bixitaanka (DT&V)

avr-intro--a =
    Ma ku nooshahay Holland adigoon haysan sharciga deganaanshaha, mise waxaad ka fikiraysaa inaad dalkaaga ku noqoto? Waxaad ku noqon kartaa si iskaa ah adigoo helaya caawimaad. La-taliyayaasha { -iom } ayaa kuu sharxi kara xulashooyinkaaga, sidoo kale { -dtv } ayaa kaa caawin kara diyaarinta safarkaaga.
    .title = Ma ka fikiraysaa inaad dalkaaga ku noqoto?
    .cta = Arag xulashooyinkaaga

avr-intro--b =
    Ku noqoshada dalkaaga waa go'aan weyn, mana aha inaad kaligaa qaadato. Haddii aadan haysan sharciga deganaanshaha Holland, { -iom } ayaa kuu sheegi karta caawimaadda la heli karo haddii aad doorato inaad si iskaa ah ugu noqoto, sida caawimaad lagu helayo dukumentiyada safarka iyo tigidhka.
    .title = Ku noqosho iskaa ah oo la caawiyo: ogow xulashooyinkaaga
    .cta = Wax badan ka ogow

avr-counselling =
    La hadalka la-taliye ka tirsan { -iom } waa bilaash, waa qarsoodi, wax waajib ahna kuma saarayo. Su'aalahaaga waxaad ku weydiin kartaa luqaddaada, ama haddii loo baahdo adigoo kaashanaya turjubaan. Wada-hadalku macnihiisu maaha inaad go'aansatay inaad ku noqoto; adiga ayaa go'aansanaya inaad codsato taageero iyo in kale.
    .title = Talo bilaash ah oo qarsoodi ah
    .cta = Ballan qabso

avr-travel =
    Haddii aad doorato inaad ku noqoto taageerada { -iom }, waxaad caawimaad ka heli kartaa helitaanka dukumentiyada safarka, ballansashada safarka iyo garoonka diyaaradaha. Sidoo kale { -dtv } ayaa kaa caawin kara diyaarinta ka bixitaankaaga.
    .title = Caawimaad safarkaaga
    .cta = Sida ay u shaqeyso

avr-reintegration =
    Iyadoo ku xiran dalka aad ku noqonayso iyo xaaladdaada, waxaa laga yaabaa inaad u qalanto taageero dib-u-dhexgal { $months ->
        [one] ilaa hal bil
       *[other] ilaa { $months } bilood
    } kadib markaad gaarto, tusaale ahaan si aad u bilowdo ganacsi yar, u qaadato tababar ama u hesho meel aad degto. La-taliye ayaa kuu sheegi kara waxa adiga kugu khuseeya. Taageeradan looma ballanqaadi karo qof walba.
    .title = Taageero kadib markaad noqoto
    .cta = Hubi waxa kugu khuseeya
