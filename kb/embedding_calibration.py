"""The passages `openvino-int8`'s activation ranges are measured on (`kb.embedding_onnx._quantise`): 300 corpus
passages, 75 each of ECtHR, UK judgments, PRC law and UN documents, drawn once at random from the whole-corpus store.

Named here, not copied: the corpus is read where it lives (`Settings.corpus`), through the manifest's loaders, and
each text must still be the one its sha256 names, so every machine quantises the same model from the same inputs (the
model these references give has the file digest of the one built from the 180 KB of copied texts they replaced).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ingest.files import ReadFailure, named_files, read
from ingest.manifest import Manifest
from kb.settings import MANIFEST
from legal.errors import ModelUnavailableError
from legal.text import index_text

PASSAGES = (
    ("echr/JUDGMENT/HEJUD-10208-82.json.gz", 14, "4cffcf5bf3e343671eeaa7f409a2db708d4f511dfbf076821580f956fadec53f"),
    ("echr/JUDGMENT/HEJUD-28680-06.json.gz", 26, "026fe3d3d5ab579e3d82151741d9b949015f08ff7c95bc80605c0e66c0c33408"),
    ("echr/JUDGMENT/HEJUD-36703-04.json.gz", 47, "acb0a56916fc81c6939ef450672b4fbea4d8bdbb02609a4e04c5dc9c741cc22b"),
    ("echr/JUDGMENT/HEJUD-28761-11.json.gz", 722, "bed6c669e88629dee4a300a25b498bfc70d904264a0c113f00cedfc7cc57b420"),
    ("echr/JUDGMENT/001-157527.json.gz", 30, "433d86a2ad98ff209e4a001d30e90a0bd7a2570e30ed10db37127e1844fc550b"),
    ("echr/INFORMATION_NOTE/CLIN-14967-89.json",
     12, "418893b7196f8585ca5b8fe062de040fa6eb9cf0deb345f6c2fc55eab94875e8"),
    ("echr/JUDGMENT/001-197098.json.gz", 112, "7a18e82caf8ee5d962dca63bfe8cb7e8d4fa2724751b5a43450da1b402949462"),
    ("echr/JUDGMENT/001-147270.json.gz", 24, "b06c09734112b2957bd0cb23ae06420de13559a7b3d260cc6ca28006f744efae"),
    ("echr/JUDGMENT/HEJUD-78028-01.json.gz", 310, "fb5a36fe1025623699b5d9868fcff46ca4a47a62b3f88a2092ad0be99123bf59"),
    ("echr/JUDGMENT/HEJUD-4378-02.json.gz", 15, "529e035279b9f7214c60724913bbb496928303df0291fc84c40e70005e890f5f"),
    ("echr/JUDGMENT/HEJUD-25133-06.json.gz", 39, "0c1ac6a9a8d9c14e0f4e1c9f7d28761abaa93bdcef5eec1c9cce159dafae8488"),
    ("echr/JUDGMENT/HEJUD-37138-06.json.gz", 126, "435ac23a2ce186a983fed0d29151feb96629b16cf03a76ef2698e5ca2c9304e3"),
    ("echr/JUDGMENT/HEJUD-2034-07.json.gz", 19, "a3c57f2277a1c3479451d1f0d3bf1169fc596ced3d210d91d8053a602ca4df71"),
    ("echr/JUDGMENT/001-210362.json.gz", 120, "8e8f4e2b32d3380925378bea57bb76265d76deaf9ccd00ebf59f9afa7e6b9fc2"),
    ("echr/JUDGMENT/HEJUD-34806-04.json.gz", 236, "cf457defcd3b3451bb22ca0a02074cd3fb84b3ef4409f6c4adf7067f17a64ca1"),
    ("echr/JUDGMENT/001-159324.json.gz", 34, "1d5fbab00ca6e25c09a070f0dff6aefad8e8b7062a407c57b3613fe15a56963a"),
    ("echr/JUDGMENT/001-158861.json.gz", 190, "4e00517e132fc4c69f58f325ec5c134c8c20c92a32c5675ba727193c1415edec"),
    ("echr/JUDGMENT/HEJUD-25554-94.json.gz", 87, "59b778f6cef1fb36a93f3ab69ca2c7032adf7885232c9caca0024eef2abb5118"),
    ("echr/JUDGMENT/HEJUD-28761-11.json.gz", 377, "b3b9f0923303b2292c6961bbc49fe6930dfdacf90ffb83a76122da78e61d3a85"),
    ("echr/JUDGMENT/HEJUD-66882-09.json.gz", 6, "02c73e8611028b4a584001d8f83f248e98e2f83757a5fb702f88a5f27018dd76"),
    ("echr/JUDGMENT/001-108690.json.gz", 232, "7fecc9177fdeb38d1c6e44a9c8c9e7c5347c2d7cd9aca2b224dfbe3bdd449366"),
    ("echr/JUDGMENT/001-235015.json.gz", 101, "44deba0ec6b52bb4777c5df7cba533ea005bb302f7ca1affe045a3a96ed2d957"),
    ("echr/JUDGMENT/HEJUD-24407-04.json.gz", 4, "21aadbeea1df8f103296ba1b341128408a073135a608355dad4b741a91d1bf7e"),
    ("echr/JUDGMENT/HEJUD-5193-09.json.gz", 87, "93608fe0c55edc139a4c24b0679acdb3f584f8c6fcc880438d0b4d730e176f46"),
    ("echr/JUDGMENT/HEJUD-21787-93.json.gz", 68, "768e975482efd7fa6219921437db8f2e0f557d170fd8908632d7545bfeeb66ef"),
    ("echr/JUDGMENT/001-210075.json.gz", 22, "dc63351616721d3c795e1638355fd16d9c18db843da33d279b1cccd7762f008c"),
    ("echr/JUDGMENT/001-107561.json.gz", 46, "fb78297f9004d502c1b4d85754310ca2ed46d3cb354d685bb30393d3aa2fd929"),
    ("echr/JUDGMENT/HEJUD-49790-99.json.gz", 87, "8858467f6bbf0d753dd8c3ec4a23ab503da2164f88f0f5f0890ca9339204d77f"),
    ("echr/JUDGMENT/HEJUD-10799-06.json.gz", 9, "98a59ee57156d52426aa2f5d5218bd1e293fc76282f49db10e59d513c853a12f"),
    ("echr/JUDGMENT/HEJUD-22429-05.json.gz", 101, "a0e9e8dcc646a9f4e08b44f6c369aae50fa9fb5e190d3a11f473175d63ab703d"),
    ("echr/JUDGMENT/HEJUD-11002-05.json.gz", 45, "ec42649aad8656703379b62346dc3e5e41d9fac9eea1335aa5d88e128e691316"),
    ("echr/JUDGMENT/HEJUD-76240-01.json.gz", 59, "a313e8db3d054dfb790af0015338d0334df60853498aba087a2a98b4c5a9882b"),
    ("echr/JUDGMENT/001-57927.json.gz", 33, "80770053a67512ffbbda0bafbe4bf385b3d72f25e5fa03d105242dfa8f80f3d0"),
    ("echr/JUDGMENT/HEJUD-9174-02.json.gz", 128, "c920a15891b062ea166053f72bad8c53eb0a79848fe2f20a342f23919939daae"),
    ("echr/JUDGMENT/001-184525.json.gz", 214, "c004cd0f5d7f681dd603617217c031582bf825ff73098cb4e42e7359e7e66d5e"),
    ("echr/JUDGMENT/001-249223.json.gz", 188, "baccf963de0f3c6426e421a3eaea66a7effe504ee9e1f72e485bb11eaff3747d"),
    ("echr/JUDGMENT/HEJUD-73797-01.json.gz", 0, "f0cf3b1a09526bd719f581a0626360748f69e07dc1e0ec1f600e5d5a8f6d5992"),
    ("echr/JUDGMENT/HEJUD-73316-01.json.gz", 18, "f8fd3a265b7ceca1d19727e8159ea7edd0bbdd304acde3bce45468f556afd042"),
    ("echr/JUDGMENT/HEJUD-24755-94.json.gz", 41, "ee94beea72c1aeb6d37fc9c3d0665925ab32bdd15a445fb09e99ea4fb53e4c3f"),
    ("echr/JUDGMENT/HEJUD-58453-00.json.gz", 19, "96912788e7b185f8ce6df25f3d5c7b54e636adf4c31d72ebeb36440a104dc14c"),
    ("echr/JUDGMENT/HEJUD-30240-96.json.gz", 81, "59fd27820feb93598033abfa03b9af19beea3a3830eae8ae6bc634a0b6ed48ac"),
    ("echr/INFORMATION_NOTE/CLIN-33234-07.json", 4, "ffdb9e38ebceef30fa62a4f0c73d3575e115fc338f0be6c8b0d01c120c29ca91"),
    ("echr/JUDGMENT/001-146540.json.gz", 89, "d65872e71bd6af42d6cda610301df3a8e921e075d58a0f580bc52b048c99d574"),
    ("echr/JUDGMENT/HEJUD-14946-08.json.gz", 93, "8697af9ad9bcda4cde134f947dffd93effed040ccd74f7a6c3e24fce30d7eee2"),
    ("echr/JUDGMENT/001-211824.json.gz", 5, "e5365e1b83aece6a677ed93a3e0259d8ff767b9006112aec190c83acf63f3b93"),
    ("echr/JUDGMENT/HEJUD-26986-03.json.gz", 14, "0f972d5c45cb19a680ba5182e7ab2e2b87ea4bd69357b8c23b221b3721edf777"),
    ("echr/JUDGMENT/HEJUD-20368-92.json.gz", 57, "246deeb4f9ccc5dc093ee9a5b990a4bf34ec2c7afc646780d10377f9af46f448"),
    ("echr/JUDGMENT/001-148629.json.gz", 152, "d32082428d93c95e0a9dcadc6671598b7f8a772d6d40c447394a75277d7844c1"),
    ("echr/JUDGMENT/HEJUD-41195-02.json.gz", 30, "b1007c89723d05a01959ce9c515aa95e79286885e5a794a34e5bde4ea1d4bb45"),
    ("echr/JUDGMENT/001-58497.json.gz", 33, "bf9f2d8b3cd8efe74162c7e677ca5754a5f94e423e0d6c471290eb1b4268145e"),
    ("echr/JUDGMENT/001-99817.json.gz", 13, "d719ff62ffcd96e40a31de84e8ae92cbcc2debbf271d8119ffd6ba76742d7d7f"),
    ("echr/JUDGMENT/001-189591.json.gz", 36, "66b155fde38bba942790c73584938948108c06e86a2a69c4409b1e19916412fd"),
    ("echr/JUDGMENT/001-99817.json.gz", 245, "995da7fd75206fee61251468f4f49af0426cde7dda25dddc68f8f564b4f477c4"),
    ("echr/JUDGMENT/HEJUD-7601-76.json.gz", 8, "bacf403a094a791dbe5fe9d8fcccf68bf0385319ea9cc24fa444b1dc526beb71"),
    ("echr/JUDGMENT/001-171994.json.gz", 14, "39f339e1ecc2d1c8a4225754de2b63db2c1ad9a2be943df92e008a19f2ff017d"),
    ("echr/JUDGMENT/001-78892.json.gz", 9, "f0f3c3eb82937310c3680c3f08adc0aa31208ad1184950160ee32dd1ecae4a3b"),
    ("echr/JUDGMENT/001-173490.json.gz", 77, "ec315a8e360de5d98fcdecbdd91ed7f0579e4128eb274fb72d574ae27fc48c70"),
    ("echr/JUDGMENT/HEJUD-40167-06.json.gz", 91, "1b79375a64fee99763f0338550683384c232941cb277a166a6b05e7bab9f92ae"),
    ("echr/JUDGMENT/HEJUD-48666-99.json.gz", 83, "d581adeb3933b73fd35ab8138e8c36ab0fe740c0d6a5378a47f106058e85ac50"),
    ("echr/JUDGMENT/HEJUD-57001-00.json.gz", 1, "f80b281634294f35d0971b5b2157f55349b6c2f7a9590adec546d971d2a02982"),
    ("echr/JUDGMENT/HEJUD-20323-92.json.gz", 12, "4f4ae6ff16d2527c02e42ad0b6e84c2aa5e6e67875755d7d544a7ac7146f74eb"),
    ("echr/JUDGMENT/HEJUD-27082-09.json.gz", 9, "d86ff66b3e1799368fd161ffc2ac32a4311012d350b9e92594e7485500af0aa3"),
    ("echr/JUDGMENT/HEJUD-54825-00.json.gz", 47, "8872befb3efd12ec52c44d25ae6a8c656b895c2007009e8a6ad96bca1caace8c"),
    ("echr/JUDGMENT/HEJUD-32190-96.json.gz", 11, "9c62c419e89fbc80853fc5994717b35bcbfa7d6f75202669ced5ba8ac1925a6b"),
    ("echr/JUDGMENT/001-100469.json.gz", 76, "1674ce36c75d803186ebdd4f3ea1afb481d19ad5ec9fb803e0986c360714871e"),
    ("echr/JUDGMENT/001-57581.json.gz", 32, "3093bfda6d82d942cfbeec5b291e6b1120ae9afd1c3b60f754c4176070662ece"),
    ("echr/INFORMATION_NOTE/CLIN-33771-02.json",
     19, "c4c4d676ad340ef1a808106c7a7e7e1a15256e73dc6281ae8a40b3cf1134b992"),
    ("echr/JUDGMENT/001-110449.json.gz", 82, "564b3e9534eb10a58aa86d17d290b4ca5f6b9547329d862d9a3aecccb6ab51b9"),
    ("echr/JUDGMENT/001-61275.json.gz", 44, "c9fc839d2e639fb2d0208f6997ec56eba67354b9a53ad53ac537bbc7330bd67b"),
    ("echr/JUDGMENT/HEJUD-35887-05.json.gz", 86, "a8fc968da24c614d92987228ce91552d8e889be2eb664b6f0f3cccdcfc91070b"),
    ("echr/JUDGMENT/001-102252.json.gz", 32, "14b640e8e7b36f47b04ee205c53b54fcfe3c956e7749e1e1b6ab3b601f39c05b"),
    ("echr/JUDGMENT/HEJUD-48203-09.json.gz", 11, "7e74ed5765ab46238c0b3aed464adfdf83617b739f9647b776d06425b64fc835"),
    ("echr/JUDGMENT/HEJUD-49197-06.json.gz", 46, "b8f6db9f30cb845f24e7c6b06fedd707dc67dfb609ad524d3fd00afd2812678f"),
    ("echr/JUDGMENT/HEJUD-29157-09.json.gz", 78, "e9cd25baa82bfe0241c8a41a4875ee5b321a51147d0982a6031e08b6071ebb27"),
    ("echr/JUDGMENT/HEJUD-38885-02.json.gz", 137, "f70a20e61de31312b7a857de0d2aa5258dea3acdd8f7f74e9643259c767970c3"),
    ("national/uk-tna/2010-ewca-978-crim.xml", 78, "b7479f39a1f0203a5d4643e63f8e0dbd0943c5e9c8e91243120a31cb85f37cde"),
    ("national/uk-tna/2017-ewhc-2930-pat.xml", 140, "b651690ae27a130850a870da4a040d4d5481717a5bfcb92761f5a17c781771d4"),
    ("national/uk-tna/2020-ewca-108-civ.xml", 2, "7c7faad512c1e52dd9cce23876a2b5b9262990b803f1b6fa451ea64748d41648"),
    ("national/uk-tna/2012-ewhc-2463-comm.xml",
     726, "0de84d57d6310a14f3af1dedf46eb61d0be083b67cff29019a09c496b63833b1"),
    ("national/uk-tna/2009-ewhc-90130-costs.xml",
     4, "929e4406bec911abf057a78e95fca03d67766f63a742126abac3844f7be49da6"),
    ("national/uk-tna/2017-ewhc-1912-admin.xml",
     70, "4f3ec0c60a30b44c93d186ad8cc1e6e25726f05cc778d1c11f7bf0962902c8bb"),
    ("national/uk-tna/2020-ewca-1567-crim.xml",
     882, "6e47bdc1a2c60ec17377d4e9ae144b332b0fe60a670a41fd509db21fce79465e"),
    ("national/uk-tna/2010-ewca-978-crim.xml", 60, "d85b23451ff74ba24555759fa5c16a503c00d8a0f60a2cedb543c809bdfc8b68"),
    ("national/uk-tna/2016-ewhc-954-admin.xml", 95, "83b09d77322611ee5d39a540d454dff81b8ab6f24cc9f988bcd18e5d34f1be68"),
    ("national/uk-tna/2007-ewhc-233-admin.xml", 81, "a34d532a36b64513ef7992387d7a4048597b903131dcae1cf33df80b6f4137a7"),
    ("national/uk-tna/2016-ewca-1060-civ.xml", 260, "93c7830e8a092f454e29642cc4f37401cdfffd15325b4ec739b4f3a695495ed0"),
    ("national/uk-tna/2016-ewhc-954-admin.xml", 89, "2ab63bc83252a13b1d4a9268ccf76e72aa9b348e498c56b36fee363d3e25da04"),
    ("national/uk-tna/2021-ewhc-175-ch.xml", 585, "d11760bb2401cd8e866d82d920ad7ab16e608bbe8bee2cf01267063d742df0ba"),
    ("national/uk-tna/2010-ewca-1096-civ.xml", 83, "ebafc77f3f73051f7dd6b142197331f93528baf550453ddaf5f410c2444582da"),
    ("national/uk-tna/2012-ewhc-1848-pat.xml", 319, "5d6ccf84499b4c078b76dbaccc1443750426670fe6a2cf2a10c180545335e6cc"),
    ("national/uk-tna/2016-ewhc-3342-ch.xml", 93, "07feee0f03f3a0858599e5346e1631323f63a9e6eb05fda5f1393664ee92b9a2"),
    ("national/uk-tna/2010-ewca-1096-civ.xml", 356, "48f2b3ae6b1350c83f9c264c270bcd1c1cefa939a722f66caaea3005c734a2da"),
    ("national/uk-tna/2017-ewhc-1461-qb.xml", 52, "b3e60571f187e9c90bb6599500f6cbd6226a8ab67a74b6d5d41c043684cb3a17"),
    ("national/uk-tna/2020-ewca-1176-civ.xml", 141, "690263d75db2bc04fabf85951afdd6495bc2fc874d356a8cc5cdafbd43d9b578"),
    ("national/uk-tna/2018-ewhc-1077-ch.xml", 194, "c49991fc09cb2b527c4f7fd875548912ffaad50a991dc8d1c385c26273bd8f13"),
    ("national/uk-tna/2017-ewhc-2930-pat.xml", 275, "a9a9bd0dd3aca084e3bfdcc369be1c3f488f2dbf058e3f5d5c7d70999a6bc09f"),
    ("national/uk-tna/2016-ewhc-2639-admin.xml",
     45, "b3e39c953d6b220acb58133db27592bb7920340752dca2267f9ed58b8544750f"),
    ("national/uk-tna/2016-ewca-1060-civ.xml", 218, "f5390b60422f156cbe8872a06d3f5271cc15530d75ded8c7f0600990deb190dd"),
    ("national/uk-tna/2003-ewhc-1319-ch.xml", 144, "c31e8c142ed812b6e9e832fbcbc5e3c082bea42c05c7787c3cbb6e12e75c8396"),
    ("national/uk-tna/2007-ewhc-233-admin.xml",
     152, "4c4b9bd6e674c45a5233718de496968696c2f27886e8871e15d1ee0b0bfc16e1"),
    ("national/uk-tna/2014-ewca-1729-crim.xml",
     131, "ed39480b3f7555a5ee40e65404abdb33d33836bc8e48f57e1998bdd221354402"),
    ("national/uk-tna/2015-ewca-843-civ.xml", 288, "7a64a59076191bbb95bbfe0ae1c6554cb20c38376df7e4c5dd4caf445be70ea0"),
    ("national/uk-tna/2011-ewhc-2443-fam.xml", 242, "67b8eeda71d05894126be98b368fee133bed752f86bb44cea7026f6b00f891c2"),
    ("national/uk-tna/2021-ewhc-732-ipec.xml", 88, "cfff02af1fdf5207808a94d66e674aa99fe07c0944d50d9f231477c5b2b0db7a"),
    ("national/uk-tna/2018-ewhc-1077-ch.xml", 1268, "68bdd9b638427a79d0e437d84ecc4577c8bd96cfbcde93c895ce4c46b5a7d843"),
    ("national/uk-tna/2020-ewca-1567-crim.xml",
     279, "55b4e69c78648cc61ed43f894f926f249cf2cb3d34ef457ad96bf4f72272bccc"),
    ("national/uk-tna/2020-ewca-108-civ.xml", 37, "0a734418072c870e559f2bb8c3965dae3128225b21e3921a95ba6d0937f1f6b3"),
    ("national/uk-tna/2021-ewhc-175-ch.xml", 249, "5fbc05a4a342763f0436159ee9f49fc047e4e61ea52dd9580447a6c6d2e15259"),
    ("national/uk-tna/2018-ewhc-1077-ch.xml", 1303, "fdbfbb0d1c7f20fb9d9051287d2bd0e86af70216afee8eff0c68617d12700534"),
    ("national/uk-tna/2020-ewca-1567-crim.xml",
     859, "9e6e82cbec36c5c73fdc17c3e47035176e44492accaca4ce7919e9726c4da617"),
    ("national/uk-tna/2016-ewhc-954-admin.xml",
     115, "e26d18b4dcd8a850540dc23c14d378d2a3f8c35210d71dcbde512d5ce32cefda"),
    ("national/uk-tna/2017-ewhc-2930-pat.xml", 9, "ff045ad334fb83264b8e266baaf84cb58ceb34ef718ea1b1bc6404c92f445997"),
    ("national/uk-tna/2016-ewcop-21.xml", 29, "707f2d4fe1d042bb3a93ee82c2e68ea8337019fb9a8956e50f3de9698084a29d"),
    ("national/uk-tna/2020-ewca-302-civ.xml", 20, "8f7cabb3df5b2a3abd6b265acaca64f37c880fa8369914b79769475f782677b4"),
    ("national/uk-tna/2020-ewca-1605-civ.xml", 65, "73ef9d60f82037d21b7a0089748eb53a579411c69d9937e860fa2905b8bd6496"),
    ("national/uk-tna/2003-ewhc-1319-ch.xml", 814, "93d80aafa947c87ee2a09d086744fd0dd08a4cb1bd2fb82046764959b7609ba4"),
    ("national/uk-tna/2017-ewhc-1461-qb.xml", 26, "86dab4ea403e25c734bdb9295ef062bc8c3a16ab87d5aaab9c80b8b475c0ede3"),
    ("national/uk-tna/2017-ewhc-2930-pat.xml", 248, "6afe1d0c02e9f50d6146b8d387481e0b98ee08ceefb50eb88e4efaf8af893465"),
    ("national/uk-tna/2020-ewca-1176-civ.xml", 0, "2d1656c4eb8053c2655258b7c4d223b57701ecd6ec0b882e231e764d700b809b"),
    ("national/uk-tna/2018-ewhc-1-tcc.xml", 550, "b8579ae42facfaa0d87dd6d9d574b88ce725d4f321bfce4cbc5b5c5cca8faa1d"),
    ("national/uk-tna/2020-ewhc-2604-admlty.xml",
     127, "2f7913954d07b7f92c3a0a8abab1e7a69e56671288368f687179b636a954657c"),
    ("national/uk-tna/2003-ewhc-1319-ch.xml", 924, "c13c797106b90f5deec5ee7c00292dbf7f0168a7ed35f81f4777ea1b59f3bcea"),
    ("national/uk-tna/2020-ewca-1176-civ.xml", 78, "5999b3e48a44dd9f5799a186f02ed04044e83cb0333e28054d5f64e6ae389be4"),
    ("national/uk-tna/2008-ewhc-1324-fam.xml", 197, "b4bf4058e168afc139b61df7c5e9cabf332b338ee454bb4a2f47c5c45b32ed31"),
    ("national/uk-tna/2011-ewhc-2443-fam.xml", 76, "9efbb6f6627760114818fbaa34b4771401a7b872b155ce0b8edb78e959d91ca6"),
    ("national/uk-tna/2015-ewca-843-civ.xml", 158, "86243bece858e4768cb731e9401530cdb35aa094d4d827367afddf042bd73187"),
    ("national/uk-tna/2018-ewhc-1077-ch.xml", 1443, "56cb68a98a2133af5d9a833816526555bcc10640f2de07ba4d83fb9d8130d9ec"),
    ("national/uk-tna/2003-ewhc-1319-ch.xml", 414, "77c3d5b61d3d46a41a0b5e519337b05f24df842265245f26c260d2c6896e563d"),
    ("national/uk-tna/2012-ewhc-2463-comm.xml",
     1614, "a24ab0d6c2965a135dfda5d091cc00d498cbda8dc7478941ac06b1d64e52d05b"),
    ("national/uk-tna/2021-ewhc-175-ch.xml", 456, "f5a89b037cf6a2b89001fa106009c3355bd1cbc4a569849670fad303129657ba"),
    ("national/uk-tna/2021-ewhc-175-ch.xml", 521, "192be927ada334d4dcb874e76e399dec3e02a99878637188ff4118a4502e8432"),
    ("national/uk-tna/2007-ewhc-233-admin.xml",
     247, "b8978e12f584ac2d58903dcf579ba986907b9d593074bbf2e102eb4d2f9afac6"),
    ("national/uk-tna/2017-ewhc-2930-pat.xml", 185, "45776e9199527b0039ede80d2a6efd6815a4ca5165926095dc2208a920fb28b3"),
    ("national/uk-tna/2015-ewca-843-civ.xml", 333, "be8a4731aa89cf43106c0412eb674dfd5b780b16a11312503d9b08cea61d6544"),
    ("national/uk-tna/2011-ewhc-2443-fam.xml", 124, "819af4eb774b3a724ef65a821c66eddc206e758196681627b78d2f7ab972e03f"),
    ("national/uk-tna/2018-ewhc-1077-ch.xml", 1078, "1b946cfa64f4005b11bc76362243a08a1ae134bf7cc87cb701fe0a0c88b7d8d3"),
    ("national/uk-tna/2017-ewhc-1461-qb.xml", 415, "020d63351773c9d510e8eb5ce3a1ed093a821493b8887f8656b7da27fd05f479"),
    ("national/uk-tna/2017-ewhc-2930-pat.xml", 114, "7cb0f68cc370845bc1a8f6efe870f7e9bf97c0eafe54ffbe8cf0139e32e1596b"),
    ("national/uk-tna/2010-ewca-978-crim.xml", 189, "c845d337f997a9a58863ca7b7686bcb414be138ccf6fc6fbea979c1814d38d45"),
    ("national/uk-tna/2021-ewca-783-civ.xml", 142, "69500274b7be2e2f8490c17efa95478e4bedacd5d66a78353bc2b247a72c6704"),
    ("national/uk-tna/2021-ewca-205-civ.xml", 79, "e180e8f8edc0e5500f150a8e8f6b5d4c0b85e41c837aad0d5f2fc50f7dda1944"),
    ("national/uk-tna/2015-ewca-843-civ.xml", 30, "d1bf322421f7b51fb35d365558b55c5d0f87f3dc9007f6c17a9cb53c1e097336"),
    ("national/uk-tna/2021-ewhc-732-ipec.xml", 112, "b5785ff06e6606db2a6c91b33a55cca1ef7ea8283891a751569f57dde9893ba5"),
    ("national/uk-tna/2012-ewhc-2463-comm.xml",
     601, "ce92a87441d169be8781ded28e9eb71bb579b7d17d23a1b64eb50ed41c701270"),
    ("national/uk-tna/2016-ewhc-405-comm.xml", 378, "a80fc32e9acf7e24215d892534c742b8a256d6d21796b427e4e58fc21e56636e"),
    ("national/uk-tna/2021-ewhc-175-ch.xml", 497, "8d1c44440d642f91dee9b880a44ca7ff0fb685c8c56019f35344eb0980364d17"),
    ("national/uk-tna/2017-ewhc-1912-admin.xml",
     446, "9e3409e592dd6f2fb33eeb5e78bfbe118d69461858331da36bc1f35d03f6af6c"),
    ("national/uk-tna/2012-ewhc-2463-comm.xml",
     1277, "443c69a9d89c43d31e4828f8f7343bf7e755855a5090bf27025ee9f2d0b94369"),
    ("national/uk-tna/2018-ewhc-1077-ch.xml", 1607, "31e2e98ee5c65ce544f36101fc94c594cef7e7531edbd6083d0f83b5ec7a8029"),
    ("national/uk-tna/2021-ewca-205-civ.xml", 222, "8422c9f47d7d32b856b1b220a0a09a8765431a3e68c3f288abbf047acd2956e1"),
    ("prc-law/司法解释/人民检察院刑事诉讼规则(2019-12-02).md",
     396, "0032aa7786cb035699140a3dfc4d571f57384b57f6b234ae1183645661871b63"),
    ("prc-law/司法解释/人民检察院刑事诉讼规则(2019-12-02).md",
     281, "bebe9bb513bea2c26268711cd0805fe1cc5440b500706fc2f21c5766820afffe"),
    ("prc-law/司法解释/人民检察院刑事诉讼规则(2019-12-02).md",
     10, "a3036efb2391d80a4ada76a4f8acff6cf06879a8ac50f470e2aa028de115aa08"),
    ("prc-law/刑法/刑法.md", 199, "139081ba2215d5571259a6786609a59366cbf1c302271e6c655b4a966993da04"),
    ("prc-law/司法解释/最高人民法院关于适用《刑事诉讼法》的解释(2021-01-26).md",
     138, "7eaa453dfaa56c98971e03d7e9e0aeacecadaa14b415bcab2ef96ad87395d3b9"),
    ("prc-law/行政法规/看守所条例(1990-03-17).md",
     45, "a554498bff02359fc8cad19151220d118d5125fb7b2e4dd73e053c9b08a954aa"),
    ("prc-law/司法解释/人民检察院刑事诉讼规则(2019-12-02).md",
     211, "b7839330b52abedabb506037662207c0783dde78b533df47b04d99f58aa545ea"),
    ("prc-law/司法解释/人民检察院刑事诉讼规则(2019-12-02).md",
     606, "fd8e0ebb48760145928660f5d6afae045e9b804775efd54a4fc02bb673a527d7"),
    ("prc-law/司法解释/最高人民法院关于适用《刑事诉讼法》的解释(2012-12-20).md",
     523, "9aa9ec340839579eccc9ebaa45fd32a262d8f755eaa86e90c258f1e7142782a1"),
    ("prc-law/刑法/刑法.md", 318, "b0d2f4afcf6c62f76ea2aed641809ce24f4417ce9cc407ceb8582393095acf5f"),
    ("prc-law/司法解释/人民检察院刑事诉讼规则(2019-12-02).md",
     672, "6bc1f73943cb115a8cef984ba1277fed3a41413d61c0d054f62dad790fe7d651"),
    ("prc-law/刑法/刑法.md", 399, "1a0172be6b54caeb44d336fd9fff39dad63227ba599f175f52ce11106b58401a"),
    ("prc-law/宪法相关法/香港特别行政区维护国家安全法(2020-06-30).md",
     60, "ec2e93a8292c15b2d4185a09b5ce23c2b7c36c3d9b4f3aefb61427e2cd252085"),
    ("prc-law/司法解释/人民检察院刑事诉讼规则(2019-12-02).md",
     213, "7f55a909ce582517aa232a1642a47955078e20c2ac22c082115c475f84675e4e"),
    ("prc-law/司法解释/最高人民法院关于适用《刑事诉讼法》的解释(2021-01-26).md",
     562, "09de338b1a959f70746a287280890d12c02f3c16c814999a9260a2d8a26b000b"),
    ("prc-law/宪法相关法/监察法(2024-12-25).md",
     48, "418e79b3ab7a764ab70acffd7e0482695b7ea8df576b63496eeffae812f67c97"),
    ("prc-law/司法解释/最高人民法院关于适用《刑事诉讼法》的解释(2021-01-26).md",
     9, "7232ce6e850ac5ff48f12542a5921503af346b4bc60487ff7280b47cb22bfd9b"),
    ("prc-law/司法解释/人民检察院刑事诉讼规则(2019-12-02).md",
     106, "91a12535a50a3e217bff4cd5af8203e9e369233e7caf2c90008480138098e16c"),
    ("prc-law/行政法/反间谍法(2023-04-26).md", 10, "c3b56bc4a75705a0a17b99833071cb4dd2b9531a40eb35eb9e53cf3596b41fb4"),
    ("prc-law/行政法/反间谍法(2014-11-01).md", 27, "c7fafa8c420bd7f1882d9841174a9f3dce6809133f8b67f5606c30abc4215567"),
    ("prc-law/司法解释/最高人民法院关于适用《刑事诉讼法》的解释(2021-01-26).md",
     326, "2ba0f1f65f5aabd664535bca1e867686eccc4b5274228d3a113232e2871f1588"),
    ("prc-law/刑法/刑法.md", 138, "e80c3a22f0fd048844e5427c5fcf3fec582ec0479dc6946d51ce49890e355366"),
    ("prc-law/刑法/刑法.md", 371, "d7d104a6a60a6e5b98bc1c6caaa7a0aefb732b97209a3171a6e88f03460a8adf"),
    ("prc-law/司法解释/最高人民法院关于适用《刑事诉讼法》的解释(2021-01-26).md",
     167, "1daaa151873aaf28db307ecc0f66d71aa9e4e3c8cb39b14eab2c3c4c70092cf4"),
    ("prc-law/司法解释/人民检察院刑事诉讼规则(2019-12-02).md",
     532, "eea33ad742d527851c3ac3256f6da53d2127bd3bd0ed9a7ea184e070494504b8"),
    ("prc-law/司法解释/最高人民法院关于适用《刑事诉讼法》的解释(2012-12-20).md",
     546, "88a5cb7ef5bf729efca599c39889ab3b3de1b690582493eb8588572927b2fc4a"),
    ("prc-law/司法解释/人民检察院刑事诉讼规则(2019-12-02).md",
     406, "196ee280e18e9e34ef726f7a65dbdc71ea61db40c7912c23d90c2cec46c89c9a"),
    ("prc-law/司法解释/最高人民法院关于适用《刑事诉讼法》的解释(2012-12-20).md",
     382, "f515b419863189f5d825286f053aad18586df72fe35e1a421c5114d9f9a74624"),
    ("prc-law/诉讼与非诉讼程序法/国际刑事司法协助法(2018-10-26).md",
     6, "6719ac988000598b3571995b2e973c197d422eeedfe4354fbdb82c375f660244"),
    ("prc-law/宪法相关法/反恐怖主义法(2018-04-27).md",
     0, "8b186f130c886a39e68d6b7ce7c8c88d8aa626344c3fa31171f5a597cf718c3e"),
    ("prc-law/宪法相关法/监察法(2024-12-25).md",
     57, "c13ba66f9933cfdffc1339b59d37f8cd807d21737a32039caef263099f6e2f7f"),
    ("prc-law/司法解释/最高人民法院关于适用《刑事诉讼法》的解释(2012-12-20).md",
     41, "2fd941846e91df34209955771572c34c60783c3e50d37763e2d3f20f58cf72b4"),
    ("prc-law/司法解释/最高人民法院关于适用《刑事诉讼法》的解释(2021-01-26).md",
     241, "a2a12f8dbbe14dd6b56f4446515041d2f8e45b78fb2f39725518124b31abcfc4"),
    ("prc-law/司法解释/人民检察院刑事诉讼规则(2019-12-02).md",
     236, "01333d045ea496989c268b82df52797fd431e43ade630c2eaadc2f5758e49291"),
    ("prc-law/司法解释/人民检察院刑事诉讼规则(2019-12-02).md",
     278, "1beb1a1be8452a04da2aabf6c856b6a019629de483cb2433feee96ca5375f1ed"),
    ("prc-law/行政法规/反间谍法实施细则(2017-11-22).md",
     11, "afcf641591b17b5d828816a3110f014f57c53b9a2e7b6333e49dfea4c13e30c1"),
    ("prc-law/司法解释/最高人民法院关于适用《刑事诉讼法》的解释(2012-12-20).md",
     290, "44fe56f41547822e45697e297d45ff2cdfd734ae9e5e743eb5d0fff0ccc89341"),
    ("prc-law/诉讼与非诉讼程序法/刑事诉讼法(2018-10-26).md",
     141, "393dd13ae6fd735d5ed5adc26448ae50dc1691cd66fbff3d189a67a0df8ed740"),
    ("prc-law/宪法相关法/监察官法(2021-08-20).md",
     61, "bf759eb25b7d2af16a65b2a7e71a53d93726bb522ce605221014882d3bf253fa"),
    ("prc-law/司法解释/人民检察院刑事诉讼规则(2019-12-02).md",
     307, "9bb5a35c9fefcc7c4e7f279b98135cf9ce3dd1819f9f5519bf36a7b168efc9e8"),
    ("prc-law/司法解释/最高人民法院关于适用《刑事诉讼法》的解释(2012-12-20).md",
     501, "fcc25b526381a5f2afa51ed263b31afe787e380c38d59bb44efd3a43a9b8587b"),
    ("prc-law/司法解释/人民检察院刑事诉讼规则(2019-12-02).md",
     123, "2280f0a4d5aefcebe4f42e3a6518a3a6610c8e1c550975e5c260f54fd852158e"),
    ("prc-law/刑法/刑法.md", 246, "52c46f80b54568895daa5bf082876d319d7a02eea6e971cff20a4e149a13fb35"),
    ("prc-law/司法解释/最高人民法院关于适用《刑事诉讼法》的解释(2021-01-26).md",
     310, "4c86f012d67213e633b5b8a850aed8cc72b7a2fbbf77e6b4d513f285b20602fc"),
    ("prc-law/司法解释/最高人民法院关于适用《刑事诉讼法》的解释(2021-01-26).md",
     644, "7c7c98a6fb532eb9960b997e10d1369877a00078a5d5f95f4258ecb66d01110d"),
    ("prc-law/司法解释/最高人民法院关于适用《刑事诉讼法》的解释(2021-01-26).md",
     186, "8ac0951c26074beb8b32b77e1414f7e2e81186041d4a8036152201c05b712091"),
    ("prc-law/司法解释/人民检察院刑事诉讼规则(2019-12-02).md",
     215, "9d9e2531e4a355bf713da9bfc9b77a126ede92a5fd27b3edbdd2c5921002730f"),
    ("prc-law/司法解释/人民检察院刑事诉讼规则(2019-12-02).md",
     146, "df3eb12072e9a0165e5a726e043ebc0ee85283da975e3ba67413f31467d40e19"),
    ("prc-law/司法解释/最高人民法院关于适用《刑事诉讼法》的解释(2012-12-20).md",
     78, "b0544d55a62b2d60feef6b3b7b59e73b136d2a13ccd5430df42f2607038e808f"),
    ("prc-law/司法解释/最高人民法院关于适用《刑事诉讼法》的解释(2012-12-20).md",
     87, "57b7a0e1b51ec5b862880b535d510cd8a657a177c758e3f200aeb35e5f2cffb5"),
    ("prc-law/司法解释/最高人民法院关于适用《刑事诉讼法》的解释(2012-12-20).md",
     201, "a1fa47ac10bc6eb67b09d9a079eb7c8bbe96b509430c5662127f530548c9978c"),
    ("prc-law/司法解释/最高人民法院关于死刑复核及执行程序中保障当事人合法权益的若干规定(2019-08-08).md",
     1, "0150cce45e5efee61eea084ea00dde0b5ae56bbdb5a1d3bcbeb29ba5dad63f75"),
    ("prc-law/宪法相关法/香港特别行政区维护国家安全法(2020-06-30).md",
     30, "0bd85013f5ad073f798d7ec62eea838a95f48b9a9706e35e5fb03c5ef85d631c"),
    ("prc-law/行政法/反间谍法(2023-04-26).md", 8, "ee9e6b15b0689430db13631a6c33bf3a59349da610204578594a71e77b6315dd"),
    ("prc-law/刑法/刑法.md", 153, "cfb1b64ec969c79fafbefb04d99b3c872957fe2d246a8ae9924938f23f295ede"),
    ("prc-law/司法解释/人民检察院刑事诉讼规则(2019-12-02).md",
     68, "afc4bb5c650654c326cac84401aae4e3adb1584e100a29fdc9ac9adafa7645b0"),
    ("prc-law/司法解释/人民检察院刑事诉讼规则(2019-12-02).md",
     364, "46bdabc11441903cc7341baabc494e8d00a6b91e65dd8dc54c160b981c48b4a8"),
    ("prc-law/刑法/刑法.md", 165, "443e9bbd94114d15c83e0834fe2657c968ca2e08971e5f1a7e82a786ff9b8e71"),
    ("prc-law/司法解释/人民检察院刑事诉讼规则(2019-12-02).md",
     194, "aa051260e66d60df28b69359b29aad2c013cffd23362d5b1e1b2c5fdf5b4e7a8"),
    ("prc-law/行政法/反间谍法(2023-04-26).md", 67, "a2c33905fa9001fea1c0945c134ed8c0055eae93f5d12b632cd9a5875703606e"),
    ("prc-law/司法解释/最高人民法院关于适用《刑事诉讼法》的解释(2012-12-20).md",
     174, "f33ac4cd8e03928ba8bc9d492d9fbc65f91585e975b5a31c31c5bae8d5bda3fb"),
    ("prc-law/诉讼与非诉讼程序法/国际刑事司法协助法(2018-10-26).md",
     2, "2d04460cbbc42b7a6618de2559b6db5d64284fd5ff2961e6b0f7d11c94907a8d"),
    ("prc-law/司法解释/最高人民法院关于适用《刑事诉讼法》的解释(2021-01-26).md",
     99, "45dd5b9d016b32769ed3338a16924b6c7f47ffa6dd45e44adc42a89a55b88818"),
    ("prc-law/诉讼与非诉讼程序法/引渡法(2000-12-28).md",
     39, "378b2fe8c0b11e0e0d8aaf61bc65e4cbf6c5da9ad97f6fd5f788cce53ee99476"),
    ("prc-law/司法解释/人民检察院刑事诉讼规则(2019-12-02).md",
     383, "e260d057db44df2e0b873209680e7e3f8cc45bbeaae9a039ca6473692ea0a0d0"),
    ("prc-law/宪法相关法/国家安全法(2015-07-01).md",
     22, "8cb13356a3116b05f2321f732d45d464042862c6c2e5bd24102315c0b4c6d1e5"),
    ("prc-law/司法解释/最高人民法院关于适用《刑事诉讼法》的解释(2021-01-26).md",
     458, "26a0838810022c266a89dc28ca4b175786c29e0b869207ed2a749b97258419f4"),
    ("prc-law/司法解释/最高人民法院关于适用《刑事诉讼法》的解释(2021-01-26).md",
     322, "9c8de5c963d2db3043ad5ccd1ce49b03e079a9a0c22cec145cb4afa6b608449d"),
    ("prc-law/宪法相关法/国家安全法(2015-07-01).md",
     6, "68cea6114865f609efb13baa8fa8c4136a72775e420cc4c24a49ea4fe1f540e3"),
    ("prc-law/司法解释/最高人民法院关于适用《刑事诉讼法》的解释(2021-01-26).md",
     501, "99363cc9e2147b47e1d33bf8e824791b94fd564ba8b38d80b4fd16d0aa08ee81"),
    ("prc-law/司法解释/人民检察院刑事诉讼规则(2019-12-02).md",
     81, "c2c00d073161a6d455b784f9496e3b495bf2c34962f392d58fdbd1ee6a4ed723"),
    ("prc-law/宪法相关法/国家安全法(2015-07-01).md",
     60, "8774af3f263c439763c5eeb36f021b194b737b7fc46c2d71b9887eec7edcb13c"),
    ("prc-law/司法解释/人民检察院刑事诉讼规则(2019-12-02).md",
     597, "1caa046411e11553f95fd0ac9bd288a76410f9b03e9ad939b7b15e5e79c4add0"),
    ("prc-law/刑法/刑法.md", 354, "b59664cdf08df38be598ed01e5fdb86980ca728c9f88d210487ce55ecfee2187"),
    ("prc-law/诉讼与非诉讼程序法/国际刑事司法协助法(2018-10-26).md",
     67, "4ef49e8586307d1eb44b4aca8efa6491b5260be57e636ef7ae2ea742ea081c59"),
    ("un/Annotated_CRC-GC5-Implementation.json",
     35, "b490c9ee4f73aa8a23cdbdec66c17ed2837ab2b64658a57ea4a23d3dd4b38e20"),
    ("un/Annotated_CRC-GC13-Violence.json", 41, "1fb7ea6dd52fff317fc3e75bf611b56eb057e1163f9081bfbe3c4f058319c030"),
    ("un/Annotated_CRC-GC26-Climate.json", 10, "919edcbe6167ca5ee0f61907559e0feebf03c3ff7602beecc4c223142bf2ea76"),
    ("un/Annotated_CEDAW-GR30-conflict.json", 81, "17b0a27bf81faee324895a6cf9bd48c32a62503f0c659cbeeb511f01b4352e16"),
    ("un/Annotated_CRPD_GC8_work.json", 50, "5170b31f3866a0cf246fbf18fc4513f85100f3a39a441dc68d183e42aef2ef7f"),
    ("un/Annotated_CRC-GC13-Violence.json", 48, "60d073da26eb4b27a6b56152a11caddbdd7a89bd52b2bed3f0041c35ce267560"),
    ("un/Annotated_CRC-GC3-HivAids.json", 22, "ff33095c551fa9df9c416881340b12bdf46623add5f27343464f22e3942431a8"),
    ("un/Annotated_ESCR-GC19-SocSecurity.json", 14, "09be567398ab31dbddc005960c94287dd23351638bfe217f59dd1871e2976b13"),
    ("un/Annotated_CRC-GC5-Implementation.json", 7, "789382a8b878c21b3e74b0f3741401dc8bd4a4e5c4052a5e4c48006f6d35e916"),
    ("un/Annotated_CAT_GC4_art.3.json", 13, "7d714e2fbf73e905b83b7ab418da81ac001bfaef867ab7f219ecbdd87d9b19e4"),
    ("un/Annotated_CRC-CMW-GC22-MigPrinciples.json",
     40, "96f2c8b5bf625d9a5c27b02e1a6ab3dd47a7595e97c94b816ef546b9bdddfe58"),
    ("un/Annotated_CRC-GC4-AdolHealth.json", 31, "80696286dd4cc7d24c8f8b0a97d32785b2f1b43e3d84f3f6b57482247b808330"),
    ("un/Annotated_CRPD_GC1_equal.json", 46, "83dca8d26de03a0854015da8efcd533519470159ed1314d2b16a8781863dcd58"),
    ("un/Annotated_CRC-GC12-Heard.json", 44, "f44839207c4e70fd945faa5c49524d5d0ff45fa00a895727ece44b6baeb17f69"),
    ("un/Annotated_CEDAW-GR33-access_to_justice.json",
     27, "3cce2e633634701182144a58950e7d007521900aab69d8d748dd9645d3437fd2"),
    ("un/Annotated_CRC-GC24-Justice.json", 47, "8ebe3d4554dc26251780d4af770c7b5caba0049b76b33ab788e06b35c5180bd4"),
    ("un/Annotated_ESCR-GC9-DomesticApp.json", 4, "2b5cd454f212be52d69141ba7fb056383d700794b5c93b3bfdf3f5c7598aecf3"),
    ("un/Annotated_ESCR-GC25-Science.json", 65, "4a09055e3d7675974377fc6e2680934d5471925e287a546aaed63628b50a1615"),
    ("un/Annotated_CCPR_GC35_article9.json", 46, "145521c17ec665876856d0aa71109a1a6fe2e5dfb8261080fe5a897f382ac59b"),
    ("un/Annotated_CERD_GR37_health.json", 35, "61234cea9a950bd8262fb18f6d1418a77021f93c853334f1a1223ca7a8e3dd9c"),
    ("un/Annotated_CMW_GC1_domestic.json", 47, "be843494d060bc8bbaf51b728b4b2d2f0e5b17fb838ac84da869f030cff8fabc"),
    ("un/Annotated_ESCR-GC6-Older.json", 37, "f9bd8ce9a7a4b2565429993549493d0858c21c49b17de6d7c983217846b371cc"),
    ("un/Annotated_ESCR-GC26-Land.json", 25, "2c3d8e0c1170b81c89ff09d9ae973b2e0aff12bc040f9c3c868285ddb27946ec"),
    ("un/Annotated_CERD_GR37_health.json", 17, "56e4c2f11d5fa39ed142fc66810b9a75f7c81a0e4b043f02fa7dccc1a6bc8351"),
    ("un/Annotated_CRPD_GC7_participation.json",
     70, "d589841fe723054779d1584312301353b9394cbf6e5d9880cd6b31366e4bdeef"),
    ("un/Annotated_CCPR_GC36_life.json", 16, "fd1c32d6633abf67a19d9a77812640710e00989dff088ff09dcdbdd356a9e422"),
    ("un/Annotated_CRC_CEDAW-GC18-Harmful-REV.json",
     19, "b51f5828e94edd44e8f008b9e89263b010fe2af4afc32ec689b4985987ff2b2f"),
    ("un/Annotated_CCPR_GC19_family.json", 7, "f1b6fe35c3f5f15b25ec2b6d058622d462e9191ecf0e8d87b6d60b84ac4e3a70"),
    ("un/Annotated_CRC-CMW-GC23-Migration.json", 5, "b5e73f7a5fb0dce735478a6949a3485557e6c4fb241f7cbfd048699c89e8a004"),
    ("un/Annotated_ESCR-GC6-Older.json", 7, "32b750b226ed6119c09644537bda192df12224b48c7a7cc4f02a4cea1ce0c7ad"),
    ("un/Annotated_CCPR_GC35_article9.json", 15, "fe07736a159d8fa74073390d4767e9e49a1b16e81368b24c4acdb52cd1d2e4cd"),
    ("un/Annotated_CRC-GC17-Leisure.json", 2, "6addffc51bbd88112d7c7b63f987d3097ff45268b8bd44465a5a3dc2b31ff820"),
    ("un/Annotated_CRPD_GC7_participation.json",
     81, "1cb3aacb5c7c048e77b637d15aa9fb1d9b73288c3b8ece535d90e7683b753383"),
    ("un/Annotated_CAT_GC4_art.3.json", 32, "0e847c2f1385f21b7b6a78bea0a616ec0c4b278dc7cff16b02909aa27dae5ea5"),
    ("un/Annotated_ESCR-GC14-Health.json", 60, "a8ad58b1ef735fbfb3b4cd7077f55ef73a0fe6e6ae63cdc578cbb9ad9020902a"),
    ("un/Annotated_ESCR-GC23-CondWork.json", 13, "f8cca6fd32fb5f003b07aa3043946224067fa664b38d481ba0a4fc865499de6d"),
    ("un/Annotated_CEDAW-GR23-political_public_life.json",
     17, "c15ef7af4734cce80fc00775899f56e14fc02ec395908d70777577f8e98b25fd"),
    ("un/Annotated_CCPR_GC35_article9.json", 0, "a89bac7d69968a35258d7b4a02e0463eaac689b62c4956fa780ee3f915c81b72"),
    ("un/Annotated_ESCR-GC22-SexHealth.json", 61, "923bf8842bf80e522a6fd19a2fec76cebfc6c7dd19f44257ee446e81e611f495"),
    ("un/Annotated_CRC-GC7-Childhood.json", 6, "d88be307a5f522733421bc53189c4a1bc35a2a1bda1cdfefa93420f15f6d3a23"),
    ("un/Annotated_CCPR_GC31_nature_of_obligations.json",
     10, "1e94ee721687726d809d8620fb078d669e212222e1ceb27cf8596fbd8e9fc6ed"),
    ("un/Annotated_ESCR-GC22-SexHealth.json", 62, "53c76806b7dc60affd708d3bec41d4f43e17f2cb1ee80b66bfc489c7945bc77a"),
    ("un/Annotated_CEDAW-GR33-access_to_justice.json",
     65, "58c2b00f5109b8e4a74fac603faf03c2f51264819d1b68d4554416981f63185c"),
    ("un/Annotated_CEDAW-GR32-refugee.json", 3, "88b8d44438f2edf7a5f3a12183a793a4e79b6ec90c7ba835696b3157e5a95115"),
    ("un/Annotated_CEDAW-GC37-Climate.json", 1, "a0c7a5a2a3fdbbffda7354bb88e67ef03888557698b0c74c7e27ef71de424866"),
    ("un/Annotated_CCPR_GC37_assembly.json", 78, "61c0f9722c3bcee14a31ea1eb35e0d79ea71742b34572a8cfd85a68ecc24ef2d"),
    ("un/Annotated_CERD_GR34_african_descent.json",
     33, "f92e2173ba8aa682de8c7325f2dd8c05891b8ff37a80843f8be56b6984fd7026"),
    ("un/Annotated_CAT_GC2_article2.json", 7, "03253fd21bd65beeb59628cb6e5b519af71691c45843828b960aaa5d1d6f6745"),
    ("un/Annotated_CERD_GR20_article5.json", 2, "e9a432dff8c1586c97e16674ac9d24b95b628e1e15f041483871ba6935c83ad0"),
    ("un/Annotated_ESCR-GC6-Older.json", 13, "5ccc8df440a6821f615e3dda8daee20ee988ccea4bf832003106cdaf38edd46e"),
    ("un/Annotated_ESCR-GC17-Author.json", 46, "0c555ec814eec8871a3027569323846a453df9fb4b28e7ea0b5d6167591bbdfa"),
    ("un/Annotated_ESCR-GC19-SocSecurity.json", 48, "76ac1a410b14ea7daac134c38c22626858ca1bc6ec9044310e4fc9db83edfd14"),
    ("un/Annotated_CRC-GC5-Implementation.json",
     43, "e762c4a811679d3128067d2cad1ba78b39737238607b7bbea7100eeec14c97de"),
    ("un/Annotated_CRC-GC16-Business.json", 12, "db11477c2e1d13cf4c07bf08481239b13c9924ecfa5dbeda09bab95e95c4399e"),
    ("un/Annotated_CRPD_GC4_inclusive_education.json",
     8, "501805be9cc6f4f5c725539b7e0461564d98d865cd26db86ab326a4a5b807481"),
    ("un/Annotated_ESCR-GC21-Culture.json", 6, "7615d54faf566dabb9fe1774c92caf95f650c4374f94347dd94669d0e271ec02"),
    ("un/Annotated_CCPR_GC13_justice.json", 4, "c80b45d3cb05cb0d914ce24c94189410ece101a7929b4c3056c05accf4ae602a"),
    ("un/Annotated_ESCR-GC26-Land.json", 46, "661cc4a3da4db2c317a52d7d2256c5e27df955d69a17dad870da9ae9baedb326"),
    ("un/Annotated_CRPD_GC6_equality.json", 34, "818da66d9fbb3be09229e83ad4c81d1f1394f4ddaf8d77079a105e2f6cdfc565"),
    ("un/Annotated_ESCR-GC18-Work.json", 22, "22fe7726113338b973b039f3273b34ac2f61a063dfac6af056b841b73fa7d3d4"),
    ("un/Annotated_CAT_GC2_article2.json", 18, "e32eaa212e43195ac580f7a71b16286cabc280b5fd04e8317edf94183f4f0b05"),
    ("un/Annotated_CERD_GR15_article4.json", 4, "e7723407327cccf7ebcff1c0b3b7a4a85e09716f0d6d1ea891b167212f78e599"),
    ("un/Annotated_CEDAW-GR21-family.json", 6, "92d8554bc02d79bcb16446572687bed7316d4aae54c748e0fb292f05d16904dc"),
    ("un/Annotated_CEDAW-GC37-Climate.json", 59, "89a51cd734045ce1c6795ea002e3f26d1a880022917d9a1f6f3ea78065006f67"),
    ("un/Annotated_CERD_GR36_profiling.json", 5, "8019f7ce0e89b117d6d2d5aef85db382fe6d8caa7fe635498e50c4cce1bfbe13"),
    ("un/Annotated_CCPR_GC35_article9.json", 34, "b34113a78cd41591df7fe8ab780bdda8e405b8ed3d7564401a65d2d87d6fe321"),
    ("un/Annotated_CRC-GC19-Budget.json", 78, "3d80beccee75ae57951ca104a1ba6df69fe0bd1b96cce597615a77c262148856"),
    ("un/Annotated_CRC-GC5-Implementation.json",
     58, "95102be429e29b5c430361914d24f5176d78bf0194cc9363c5ce8ac85a46dd35"),
    ("un/Annotated_CRC_CEDAW-GC18-Harmful-REV.json",
     35, "17c066b4ca2ae832369205f67e7acd3b7cbd597eea23a87cf03213e6e1ac85e0"),
    ("un/Annotated_CRC-GC13-Violence.json", 45, "f4844c4d45dab2fa8d633e94d63a1bb61832f3d9a4ce0cb9a58e968510b7132d"),
    ("un/Annotated_ESCR-GC25-Science.json", 10, "48dda981301da5c982c19cf9ef19bdd2f251cd9d83476dc130d4d40828791b2a"),
    ("un/Annotated_CEDAW-GC36-Education.json", 66, "fa9ad4ab5abe4c2aef8b214a8acdb032326bb67a64cff07c082359b493e79863"),
    ("un/Annotated_CMW_GC2_migrant_workers.json",
     2, "bc7f5833b7018e53e33988bb96b94f31f304aed92378cbab0653090235c368fc"),
    ("un/Annotated_CRC-GC10-Justice.json", 11, "933b6b26342f51c64b7657c8b47758afddaf853eb78489ca3e29dfdde36b1262"),
    ("un/Annotated_CCPR_GC25_art.25.json", 8, "9a86c55955fae2a20326b9e8212cd1f29c216b85578ba3fda881eeb9a09171a1"),
)
"""(corpus-relative file, position, sha256 of the text), in the order they were drawn. The position is the passage's
`para_index` in the store: its place among the file's non-blank paragraphs as the loader reads them, and its text the
one the write path embeds (both `SourceDocument.passages`, which `kb.indexing.chunking.prepare` cuts a document by),
or that text's last lines (`_named_text`). A loader change that moves passages moves their positions here (session 16:
20 UK passages, texts unchanged; session 19: 3 ECtHR passages, the sections and headings the ECtHR loader reads;
session 20: 12 PRC passages, texts unchanged, after the statute loader read five articles it had merged; 50 UK
passages, the quotations, typed numbers and practice-direction numbers the UK loader reads)."""


def calibration_digest() -> str:
    """One digest of the texts, for the model's file name and record: the texts read are refused unless they are
    the ones these digests name, so it changes exactly when the calibration does (and needs no corpus to compute)."""
    return hashlib.sha256("".join(sha for _, _, sha in PASSAGES).encode("ascii")).hexdigest()


FOLLOWING = 7
"""How many passages after a named one its text may run on into (`_named_text`)."""


def _named_text(passage: str, sha: str, run_on: str | None = None, following: tuple[str, ...] = ()) -> str | None:
    """The text `sha` names: the passage, or its last lines where a loader has since joined the sentence the source
    broke before them onto its front (the UK loader's false headings, session 16: `2021-ewhc-175-ch` 584 from its
    sixth line), or the passage with the heading the source ran onto its end and the loader now reads as the next
    passage's heading (`run_on`; the ECtHR loader, session 19: `001-235015` 101 ended `… (b) The applicants`), or
    its first lines where the loader has since joined a quotation onto its end, or its lines run on into whole
    passages after it (`following`, as printed) where the loader has since split it, such a run read as a passage
    is (its first line without its printed number) where a passage of its own is now a line of another (the UK loader,
    session 20: a quotation set out under its paragraph, `2007-ewhc-233-admin` 81; a practice direction's `J.8` and
    `J.9`, once one passage; a quoted tribunal's `76.`, now a line of `2020-ewca-1176-civ` [70]), or a run of its
    lines where text now joins it on both sides, or the passage with the heading the loader now reads off its last
    line (session 21: quoted headings, `ARTICLE 5 § 1` headings). The model is the same as long as its 300 texts
    are."""
    lines = passage.split("\n")
    candidates = ["\n".join(lines[start:]) for start in range(len(lines))]
    candidates += ["\n".join(lines[start:end]) for start in range(len(lines)) for end in range(start + 1, len(lines))]
    for count in range(1, len(following) + 1):
        rest = "\n".join(following[:count])
        candidates += [f"{text}\n{rest}" for text in candidates[: len(lines)]]
    candidates += [index_text(text) for text in candidates]
    for text in [*candidates, *([f"{passage} {run_on}", f"{passage}\n{run_on}"] if run_on else [])]:
        if hashlib.sha256(text.encode("utf-8")).hexdigest() == sha:
            return text
    return None


SHIFT = 50
"""How far from its recorded position a named passage may now be: a loader that stops reading a line as a heading or
a passage of its own (session 21: a quoted treaty's headings, an `ARTICLE 5 § 1` heading) moves the passages after
it, not their text (36 of the 300 moved by 1-15)."""


def _found_near(passages: list[tuple[str, str | None, str]], position: int, sha: str) -> str | None:
    """The text `sha` names, at `position` or the nearest passage to it within `SHIFT`."""
    for at in sorted(range(max(0, position - SHIFT), min(len(passages), position + SHIFT + 1)),
                     key=lambda at: abs(at - position)):
        text, run_on, _ = passages[at]
        following = tuple(p[2] for p in passages[at + 1 : at + 1 + FOLLOWING])
        if (found := _named_text(text, sha, run_on, following)) is not None:
            return found
    return None


def _run_on_headings(doc) -> list[str | None]:
    """For each passage, the innermost heading of the next one where it differs from its own (`_named_text`)."""
    paragraphs = [p for p, _ in doc.passages()]
    nexts = [*paragraphs[1:], None]
    return [(nxt.heading or "").split(" › ")[-1] or None if nxt is not None and nxt.heading != p.heading else None
            for p, nxt in zip(paragraphs, nexts, strict=True)]


def calibration_texts(corpus: Path | None) -> list[str]:
    """The passages' texts, read from `corpus` and checked against their digests."""
    if corpus is None:
        raise ModelUnavailableError("The openvino-int8 model is calibrated on corpus passages, and no corpus is set: "
                                    "set KB_CORPUS to the corpus folder, or set KB_EMBED_RUNTIME=openvino-bf16")
    manifest = Manifest.load(MANIFEST)
    files: dict[str, list[tuple[str, str | None, str]] | ReadFailure] = {}
    texts = []
    for rel, position, sha in PASSAGES:
        if rel not in files:
            [item] = named_files([corpus / rel], corpus, manifest, "calibration")
            docs = read(item)
            files[rel] = docs if isinstance(docs, ReadFailure) else [
                (text, run_on, paragraph.text) for doc in docs
                for (paragraph, text), run_on in zip(doc.passages(), _run_on_headings(doc), strict=True)]
        passages = files[rel]
        if isinstance(passages, ReadFailure):
            reason = passages.reason
        elif (text := _found_near(passages, position, sha)) is None:
            reason = (f"passage {position} (or one up to {SHIFT} passages away) is no longer the text the "
                      "openvino-int8 model is calibrated on")
        else:
            texts.append(text)
            continue
        raise ModelUnavailableError(f"{corpus / rel}: {reason}; restore that corpus file, or set "
                                    "KB_EMBED_RUNTIME=openvino-bf16")
    return texts
