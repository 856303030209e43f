### avr-nl-2027 — Tigrinya (ti)
### status: draft
### Review needed: machine-assisted draft; a native Tigrinya speaker must review the whole file for accuracy, spelling, register and punctuation, and confirm the Tigrinya names of IOM and DT&V. avr-reintegration still needs translating.

-iom = IOM
-dtv = ኣገልግሎት ምምላስን ምኻድን (DT&V)

avr-intro--a =
    ኣብ ኔዘርላንድ ብዘይ ፍቓድ መንበሪ ትነብሩ ዶ፧ ወይስ ናብ ሃገርኩም ምምላስ ትሓስቡ ኣለኹም፧ ብድሌትኩምን ብሓገዝን ክትምለሱ ትኽእሉ ኢኹም። ኣማኸርቲ { -iom } (ዓለምለኻዊ ውድብ ስደት) ዘለኩም ኣማራጺታት ክገልጹልኩም ይኽእሉ፣ { -dtv } ድማ ንጉዕዞኹም ንምድላው ክሕግዘኩም ይኽእል።
    .title = ናብ ሃገርኩም ምምላስ ትሓስቡ ዶ፧
    .cta = ኣማራጺታትኩም ርኣዩ

avr-intro--b =
    ናብ ዓዲ ምምላስ ዓቢ ውሳነ እዩ፣ በይንኹም ክትውስንዎ ኣየድልየኩምን። ኣብ ኔዘርላንድ ፍቓድ መንበሪ እንተ ዘይብልኩም፣ ብድሌትኩም ክትምለሱ እንተ መሪጽኩም እንታይ ሓገዝ ከም ዘሎ { -iom } ክነግረኩም ይኽእል፣ ንኣብነት ሰነዳት ጉዕዞን ትኬትን ንምርካብ ሓገዝ።
    .title = ብሓገዝ ብድሌት ምምላስ፦ ኣማራጺታትኩም ፍለጡ
    .cta = ተወሳኺ ሓበሬታ

avr-counselling =
    ምስ ኣማኻሪ { -iom } ምዝራብ ብነጻ፣ ምስጢራውን ዋላ ሓንቲ ግዴታ ዘይብሉን እዩ። ሕቶታትኩም ብቋንቋኹም፣ ወይ ኣድላዪ እንተኾይኑ ብሓገዝ ተርጓሚ ክትሓቱ ትኽእሉ ኢኹም። እዚ ዝርርብ ክትምለሱ ወሲንኩም ማለት ኣይኮነን፤ ሓገዝ ክትሓቱ ወይ ዘይክትሓቱ ዝውስን ንስኹም ኢኹም።
    .title = ነጻን ምስጢራውን ምኽሪ
    .cta = ቆጸራ ሓዙ

avr-travel =
    ብደገፍ { -iom } ክትምለሱ እንተ መሪጽኩም፣ ሰነዳት ጉዕዞ ንምርካብ፣ ትኬት ንምሓዝን ኣብ መዕርፎ ነፈርትን ሓገዝ ክትረኽቡ ትኽእሉ ኢኹም። { -dtv } እውን ንምኻድኩም ንምድላው ክሕግዘኩም ይኽእል።
    .title = ንጉዕዞኹም ሓገዝ
    .cta = ከመይ ይሰርሕ

## Intentional gap: avr-reintegration is not translated yet. The segment in-eu-nl has
## fallback = ["en"], so Tigrinya readers get the English message until a reviewed
## translation is added here.
