### safe-migration-sahel-2027 — Somali (so)
### status: draft
### Review needed: a native Somali speaker should check the whole file for accuracy, spelling and register (e.g. "magafe" for smuggler), the plural forms in sm-legal-options, and the Somali name of IOM.

-iom = IOM (Hay'adda Caalamiga ah ee Socdaalka)

sm-risks--a =
    Magafayaashu inta badan waxay ballan qaadaan safar degdeg ah oo ammaan ah. Xaqiiqdu waxay tahay in waddooyinka saxaraha iyo badda dad badan looga tago jidka, la dhaco, la haysto si madax-furasho looga qaado, ama lagu qasbo shaqo, dad badanna ay naftooda ku waayaan. Haddii wax qaldamaan, magafayaashu cidna uma xisaabtamaan. Intaadan go'aan gaarin, macluumaad la isku halleyn karo ka hel { -iom } ama hay'ad aad aaminsan tahay.
    .title = Ogow khataraha intaadan safrin
    .cta = Akhri xaqiiqooyinka

sm-risks--b =
    Intaadan lacag siin magafe, is weydii: yaa i caawin doona haddii gaariga ku xumaado saxaraha, haddii la i xiro, ama haddii jidka lacag dheeraad ah la iga dalbo? Dadkii la safray magafayaasha waxay ka warramaan deyn, rabshad iyo muddo dheer oo ay ku xayirnaayeen waddamada ay soo mareen. Waxaad talo bilaash ah oo qarsoodi ah ka heli kartaa { -iom }, waxaadna weydiin kartaa su'aalahaaga intaadan go'aan gaarin.
    .title = Yaa ku caawin doona jidka?
    .cta = Wax weydii intaadan bixin

sm-legal-options =
    Waxaa jira waddooyin sharci ah oo loo raaco shaqo, waxbarasho ama ku biirista qoyska dibadda jooga. Waqti ayay qaataan, shuruudana way leeyihiin, laakiin noloshaada gacanta magafayaasha uma geliyaan. Goor hore bilow: habka fiisaha wuxuu qaadan karaa { $days ->
        [one] hal maalin
       *[other] { $days } maalmood
    } ama ka badan. Isticmaal oo keliya bogagga rasmiga ah iyo safaaradaha, hana lacag siin qof kuu ballan qaada fiiso la hubo.
    .title = Doorashooyin ammaan ah oo sharci ah
    .cta = Baro waddooyinka sharciga ah

sm-diaspora =
    Qoyskaaga iyo saaxiibbadaa dalka jooga ayaa laga yaabaa inay kaa codsadaan talo, ama lacag ay ku galaan safar magafe. Adiga ayaa si fiican u garanaya xaqiiqada jidka iyo nolosha Yurub. La wadaag macluumaad run ah, ka hadal khataraha, una tilmaan talada bilaashka ah ee qarsoodiga ah ee { -iom } ka bixiso doorashooyinka ammaan ah ee sharciga ah.
    .title = Taladaadu waa muhiim dalka hooyo
    .cta = La wadaag macluumaad la isku halleyn karo

# Sent to X: keep it short.
sm-alert = Magafayaashu nolosha dadka khatar ayay geliyaan. Weydiiso talo bilaash ah oo qarsoodi ah oo ku saabsan doorashooyin ammaan ah oo sharci ah.
