// The command grammar's data: templates per domain and the slot word lists.
// Numeric slots ({n1_10}, {minute}, {ordinal}, ...) are generated in
// command_grammar.cpp. Entries: lower-case a-z words only (no digits,
// apostrophes or hyphens), so text and transcript are the same string.
#include "core/corpus/synth/grammar_words.h"

namespace understudy::synth {

const std::vector<GrammarTable>& grammarDomains() {
  static const std::vector<GrammarTable> domains = {
      {"timer",
       "set a timer for {duration},set a {n1_59} minute timer,start a timer for {duration},"
       "start a {duration} timer for the {food},set a timer called {food} for {duration},"
       "how much time is left on my timer,how much time is left on the {food} timer,"
       "cancel the {food} timer,cancel my timers,pause the timer,resume the timer,"
       "add {duration} to the timer,timer for {duration} please,"
       "please set a timer for {duration} for the {food},"
       "stop the timer,restart the {food} timer,show me my timers"},
      {"alarm",
       "wake me up at {time},set an alarm for {time},set an alarm for {time} on {weekday},"
       "set an alarm for {time} {relday},wake me up {relday} at {time},"
       "turn off my {time} alarm,cancel the alarm for {weekday},snooze for {duration},"
       "set a repeating alarm every {weekday} at {time},what time is my alarm set for,"
       "delete all my alarms,change my alarm to {time},"
       "wake me up in {duration},set an alarm called {event} for {time}"},
      {"reminder",
       "remind me to {task} {when},remind me to {task} at {time},"
       "remind me {when} to {task},remind me to {task} when i get home,"
       "remind me to {task} on {date},set a reminder to {task},"
       "create a reminder to {task} every {weekday},what are my reminders for {relday},"
       "delete the reminder to {task},remind me in {duration} to {task}"},
      {"music",
       "play {artist},play some {genre},play some {genre} in the {room},"
       "play {genre} music by {artist},play the latest album by {artist},"
       "play songs by {artist} in the {room},shuffle my {genre} playlist,"
       "play my {adjective} {genre} playlist,skip this song,play the next song,"
       "go back to the previous song,pause the music,stop the music in the {room},"
       "turn the volume up to {n1_10},turn the volume down,set the volume to {n1_10},"
       "who sings this song,what song is this,add this song to my {genre} playlist,"
       "play {genre} radio,play something {adjective},play music for {activity},"
       "play {artist} and {artist},like this song,repeat this song,"
       "play the radio station {genre} {n1_100}"},
      {"weather",
       "what is the weather in {city},what is the weather in {city} {when},"
       "what is the weather like {when},will it rain in {city} {relday},"
       "will it snow in {city} on {weekday},how cold is it in {city},"
       "how hot will it be {relday},do i need an umbrella {when},"
       "what is the temperature in {city} right now,is it windy in {city},"
       "what is the forecast for {weekday},when will the sun set {relday},"
       "will it be sunny in {city} this weekend,what is the humidity in {city},"
       "is there a storm coming to {city},how much rain will we get {relday},"
       "what is the air quality in {city},when is sunrise {relday}"},
      {"smarthome",
       "turn on the {room} {device},turn off the {room} {device},"
       "switch off the {device} in the {room},switch on the {device} in the {room},"
       "dim the {room} lights to {percent} percent,set the {room} lights to {color},"
       "set the thermostat to {degrees} degrees,make the {room} warmer,"
       "make the {room} cooler,lock the {door},unlock the {door},is the {door} locked,"
       "open the {room} blinds,close the {room} curtains,start the {appliance},"
       "stop the {appliance},turn the heating up by {n1_10} degrees,"
       "what is the temperature in the {room},set the {room} fan to {speed},"
       "turn everything off in the {room},start the {appliance} at {time},"
       "is the {appliance} finished,activate {scene} mode,turn on {scene} mode"},
      {"shopping",
       "add {item} to my shopping list,add {item} and {item} to my shopping list,"
       "put {food} on the grocery list,add {n1_10} {food} to the list,"
       "remove {item} from my shopping list,what is on my shopping list,"
       "clear my shopping list,add {item} to my {store} list,"
       "do i have {food} on my list,order more {item},reorder {item},"
       "add {food} to my list for {weekday},how much is {item},"
       "where can i buy {item} near me,put {item} on my {store} list"},
      {"communication",
       "call {contact},call {contact} {surname},call {contact} on speaker,"
       "call {relative},send a message to {contact} saying {message},"
       "text {contact} that {message},tell {contact} that {message},"
       "send a text to {relative} saying {message},read my messages,"
       "read my new messages from {contact},reply to {contact} saying {message},"
       "video call {contact},call {contact} at work,call the {business},"
       "send an email to {contact} {surname} about {event},"
       "did {contact} call me,redial the last number,hang up,"
       "answer the call,check my voicemail,call {contact} {surname} on mobile"},
      {"navigation",
       "navigate to {city},navigate to the nearest {business},"
       "get directions to {landmark},how long will it take to drive to {city},"
       "how far is {city} from {city},find a {cuisine} restaurant near me,"
       "find the nearest {business},is there traffic on the way to {city},"
       "take me home,take me to work,how do i get to the {business} by {transport},"
       "when is the next {transport} to {city},avoid tolls on the way to {city},"
       "show me {cuisine} restaurants in {city},where is the closest {business},"
       "share my location with {contact},when will i arrive"},
      {"question",
       "what is the capital of {country},how tall is {landmark},where is {landmark},"
       "how many people live in {city},how far away is the moon,"
       "what is {n1_100} times {n1_10},what is {n1_1000} plus {n1_1000},"
       "what is {n1_100} minus {n1_10},what is the square root of {n1_1000},"
       "how many {unit} are in a {unit},convert {n1_100} {unit} to {unit},"
       "what does a {animal} eat,how long does a {animal} live,"
       "tell me a fact about {animal},tell me a joke,tell me a story about a {animal},"
       "how do you spell {spellword},what does {spellword} mean,"
       "who is {artist},how old is {artist},what time is it in {city},"
       "what is the population of {country},what language do they speak in {country},"
       "what currency do they use in {country},how big is {country},"
       "who invented the {invention},when was the {invention} invented,"
       "what is the speed of light,how many days until {holiday},"
       "when is {holiday} this year,what is the score of the {team} game,"
       "did the {team} win {relday},who won the game {relday},"
       "how many calories are in {food},is {food} healthy,"
       "what year was {landmark} built,what is the highest mountain in {country}"},
      {"calendar",
       "what is on my calendar {when},what is on my calendar on {date},"
       "schedule a meeting with {contact} on {weekday} at {time},"
       "add {event} to my calendar on {date},add {event} on {weekday} at {time},"
       "move my {event} to {weekday},cancel my {event} {relday},"
       "when is my next {event},what time is my {event},"
       "do i have any meetings {relday},am i free on {weekday} at {time},"
       "create an event called {event} on {date} at {time},"
       "invite {contact} to my {event},how many meetings do i have {relday},"
       "what day is {date},how many days until {date},"
       "remind me about my {event} {duration} before it starts,"
       "block {duration} for {activity} on {weekday}"},
  };
  return domains;
}

const std::vector<GrammarTable>& grammarSlots() {
  static const std::vector<GrammarTable> slots = {
      {"duration",
       "{n1_59} minutes,one minute,{n1_59} seconds,{n2_12} hours,one hour,"
       "an hour and a half,half an hour,a quarter of an hour,"
       "{n1_12} hours and {n1_59} minutes,{n1_59} minutes and {n1_59} seconds,"
       "ninety minutes,one hour and {n1_59} minutes"},
      {"time",
       "{hour},{hour} {minute},{hour} in the morning,{hour} in the evening,"
       "{hour} {minute} in the morning,{hour} {minute} at night,"
       "{hour} in the afternoon,half past {hour},quarter past {hour},quarter to {hour},"
       "noon,midnight,{hour} sharp,ten past {hour},twenty to {hour}"},
      {"hour", "{n1_12}"},
      {"minute", "{n10_59},oh {n1_9}"},
      {"weekday", "monday,tuesday,wednesday,thursday,friday,saturday,sunday"},
      {"month",
       "january,february,march,april,may,june,july,august,september,october,november,"
       "december"},
      {"date", "{month} {ordinal},the {ordinal} of {month},{weekday} the {ordinal},{weekday}"},
      {"relday",
       "today,tomorrow,tonight,this morning,this afternoon,this evening,"
       "tomorrow morning,tomorrow night,this weekend,next week,yesterday,"
       "on {weekday},next {weekday},this {weekday}"},
      {"when",
       "{relday},at {time},on {date},in {duration},after work,before lunch,after dinner,"
       "later today,first thing tomorrow,on the weekend"},
      {"task",
       "call {contact},call {relative},buy {item},pick up {item},pick up {contact},"
       "water the plants,take out the trash,feed the {pet},walk the {pet},"
       "pay the {bill} bill,book a table at the {cuisine} restaurant,"
       "check the {appliance},send the report to {contact},take my medicine,"
       "renew my passport,clean the {room},buy a gift for {contact},"
       "email {contact} about {event},charge my phone,pack for {city},"
       "return the library books,book flights to {city},cook {food},"
       "order {food},practice the {instrument},finish my homework,"
       "go to the {business},get a haircut,wash the car,change the sheets,"
       "stretch,drink some water,lock the {door},move the car,back up my laptop"},
      {"message",
       "i am running late,i will be there in {duration},i am on my way,"
       "see you at {time},call me back,happy birthday,thank you so much,"
       "dinner is ready,can you pick up {food},the meeting moved to {weekday},"
       "i love you,let me know when you arrive,i just landed in {city},"
       "do you want {food} for dinner,i left my keys at home,good night,"
       "good morning,are you free {relday},we need more {item},"
       "meet me at the {business},i miss you,congratulations,"
       "i will call you {when},the {pet} is sick,bring the {item}"},
      {"contact",
       "james,john,robert,michael,william,david,richard,joseph,thomas,charles,"
       "christopher,daniel,matthew,anthony,mark,donald,steven,paul,andrew,joshua,"
       "kenneth,kevin,brian,george,timothy,ronald,edward,jason,jeffrey,ryan,"
       "jacob,gary,nicholas,eric,jonathan,stephen,larry,justin,scott,brandon,"
       "benjamin,samuel,gregory,alexander,frank,patrick,raymond,jack,dennis,jerry,"
       "tyler,aaron,jose,adam,nathan,henry,douglas,zachary,peter,kyle,"
       "ethan,walter,noah,jeremy,christian,keith,roger,terry,gerald,harold,"
       "sean,austin,carl,arthur,lawrence,dylan,jesse,jordan,bryan,billy,"
       "joe,bruce,gabriel,logan,albert,willie,alan,juan,wayne,elijah,"
       "randy,roy,vincent,ralph,eugene,russell,bobby,mason,philip,louis,"
       "mary,patricia,jennifer,linda,elizabeth,barbara,susan,jessica,sarah,karen,"
       "lisa,nancy,betty,margaret,sandra,ashley,kimberly,emily,donna,michelle,"
       "carol,amanda,dorothy,melissa,deborah,stephanie,rebecca,sharon,laura,cynthia,"
       "kathleen,amy,angela,shirley,anna,brenda,pamela,emma,nicole,helen,"
       "samantha,katherine,christine,debra,rachel,carolyn,janet,catherine,maria,heather,"
       "diane,ruth,julie,olivia,joyce,virginia,victoria,kelly,lauren,christina,"
       "joan,evelyn,judith,megan,andrea,cheryl,hannah,jacqueline,martha,gloria,"
       "teresa,ann,sara,madison,frances,kathryn,janice,jean,abigail,alice,"
       "judy,sophia,grace,denise,amber,doris,marilyn,danielle,beverly,isabella,"
       "theresa,diana,natalie,brittany,charlotte,marie,kayla,alexis,lori,chloe,"
       "priya,rahul,aisha,omar,fatima,yusuf,mei,wei,hiroshi,yuki,"
       "sofia,mateo,lucas,camila,diego,valentina,ingrid,lars,freya,oscar,"
       "siobhan,declan,fiona,angus,hamish,morag,ewan,callum,isla,mhairi"},
      {"surname",
       "smith,johnson,williams,brown,jones,garcia,miller,davis,rodriguez,martinez,"
       "hernandez,lopez,gonzalez,wilson,anderson,taylor,moore,jackson,martin,lee,"
       "perez,thompson,white,harris,sanchez,clark,ramirez,lewis,robinson,walker,"
       "young,allen,king,wright,scott,torres,nguyen,hill,flores,green,"
       "adams,nelson,baker,hall,rivera,campbell,mitchell,carter,roberts,gomez,"
       "phillips,evans,turner,diaz,parker,cruz,edwards,collins,reyes,stewart,"
       "morris,morales,murphy,cook,rogers,gutierrez,ortiz,morgan,cooper,peterson,"
       "bailey,reed,kelly,howard,ramos,kim,cox,ward,richardson,watson,"
       "brooks,chavez,wood,bennett,gray,mendoza,ruiz,hughes,price,alvarez,"
       "castillo,sanders,patel,myers,long,ross,foster,jimenez,powell,jenkins,"
       "macdonald,fraser,mackenzie,ferguson,sinclair,oconnor,fitzgerald,kowalski,"
       "schmidt,muller,fischer,weber,rossi,bianchi,dubois,moreau,tanaka,suzuki"},
      {"relative",
       "mom,dad,grandma,grandpa,my sister,my brother,my wife,my husband,my son,"
       "my daughter,my aunt,my uncle,my cousin,my boss,my neighbor,the babysitter"},
      {"artist",
       "miles davis,john coltrane,nina simone,ella fitzgerald,louis armstrong,"
       "billie holiday,duke ellington,count basie,herbie hancock,chet baker,"
       "the beatles,the rolling stones,pink floyd,led zeppelin,queen,"
       "david bowie,elton john,fleetwood mac,the eagles,bob dylan,"
       "bruce springsteen,tom petty,neil young,joni mitchell,johnny cash,"
       "dolly parton,willie nelson,taylor swift,adele,ed sheeran,"
       "beyonce,rihanna,bruno mars,lady gaga,justin bieber,billie eilish,"
       "ariana grande,harry styles,dua lipa,the weeknd,drake,kendrick lamar,"
       "eminem,kanye west,jay z,nicki minaj,post malone,shakira,"
       "coldplay,radiohead,oasis,blur,the killers,arctic monkeys,muse,u two,"
       "nirvana,pearl jam,foo fighters,green day,metallica,iron maiden,"
       "black sabbath,guns and roses,bon jovi,aerosmith,the doors,"
       "jimi hendrix,eric clapton,carlos santana,stevie wonder,marvin gaye,"
       "aretha franklin,otis redding,al green,james brown,prince,"
       "michael jackson,madonna,whitney houston,mariah carey,celine dion,"
       "frank sinatra,dean martin,tony bennett,norah jones,diana krall,"
       "bob marley,ziggy marley,jimmy cliff,toots hibbert,burning spear,"
       "mozart,beethoven,bach,chopin,vivaldi,tchaikovsky,debussy,schubert,"
       "brahms,handel,yo yo ma,lang lang,hans zimmer,john williams,"
       "daft punk,the chemical brothers,massive attack,portishead,moby,"
       "calvin harris,avicii,skrillex,kraftwerk,"
       "the cure,the smiths,joy division,new order,depeche mode,"
       "simon and garfunkel,the beach boys,the supremes,the temptations,abba,"
       "sade,enya,bjork,florence and the machine,lorde,sia,"
       "kings of leon,the strokes,vampire weekend,the national,bon iver,"
       "mumford and sons,the lumineers,hozier,lewis capaldi,sam smith,"
       "amy winehouse,paolo nutini,the proclaimers,franz ferdinand,travis"},
      {"genre",
       "jazz,blues,rock,classic rock,pop,hip hop,rap,country,folk,classical,"
       "reggae,soul,funk,disco,techno,house music,electronic,ambient,metal,punk,"
       "indie,gospel,opera,latin,salsa,bossa nova,swing,bluegrass,lounge,"
       "lo fi,chill,dance,rhythm and blues,grunge,new wave,christmas music,"
       "piano music,acoustic,film scores,world music"},
      {"adjective",
       "relaxing,happy,upbeat,sad,calm,energetic,romantic,quiet,loud,favorite,"
       "morning,evening,workout,party,summer,rainy day,sleepy,focus,driving,dinner"},
      {"activity",
       "studying,running,cooking,sleeping,working,reading,meditation,yoga,"
       "the gym,a road trip,cleaning,a dinner party,gardening,painting"},
      {"city",
       "london,paris,berlin,madrid,rome,lisbon,dublin,edinburgh,glasgow,aberdeen,"
       "manchester,liverpool,birmingham,leeds,bristol,cardiff,belfast,oxford,cambridge,"
       "brighton,york,inverness,dundee,amsterdam,brussels,vienna,prague,budapest,"
       "warsaw,copenhagen,stockholm,oslo,helsinki,zurich,geneva,munich,hamburg,"
       "frankfurt,milan,venice,florence,naples,barcelona,seville,valencia,porto,"
       "athens,istanbul,moscow,cairo,nairobi,lagos,johannesburg,cape town,"
       "marrakech,tokyo,osaka,kyoto,seoul,beijing,shanghai,hong kong,singapore,"
       "bangkok,hanoi,manila,jakarta,mumbai,delhi,bangalore,chennai,kolkata,"
       "karachi,dubai,doha,tel aviv,sydney,melbourne,brisbane,perth,adelaide,"
       "auckland,wellington,new york,boston,chicago,seattle,portland,denver,"
       "phoenix,dallas,houston,austin,atlanta,miami,orlando,nashville,memphis,"
       "detroit,cleveland,pittsburgh,philadelphia,baltimore,washington,"
       "san francisco,los angeles,san diego,las vegas,salt lake city,minneapolis,"
       "saint louis,kansas city,new orleans,honolulu,anchorage,toronto,montreal,"
       "vancouver,calgary,ottawa,quebec,halifax,mexico city,havana,kingston,"
       "bogota,lima,santiago,buenos aires,sao paulo,rio de janeiro,caracas,"
       "montego bay,port of spain,bridgetown,nassau,san juan,reykjavik,"
       "brooklyn,queens,the bronx,newark,jersey city,hoboken,albany,buffalo"},
      {"country",
       "france,germany,spain,italy,portugal,ireland,scotland,england,wales,norway,"
       "sweden,finland,denmark,iceland,poland,austria,switzerland,greece,turkey,"
       "russia,ukraine,egypt,kenya,nigeria,ghana,ethiopia,morocco,south africa,"
       "japan,china,korea,india,pakistan,bangladesh,vietnam,thailand,indonesia,"
       "malaysia,the philippines,australia,new zealand,canada,mexico,brazil,"
       "argentina,chile,peru,colombia,venezuela,cuba,jamaica,trinidad,barbados,"
       "the bahamas,haiti,iran,iraq,israel,saudi arabia,qatar,nepal,mongolia,"
       "belgium,the netherlands,hungary,romania,bulgaria,croatia,serbia,"
       "estonia,latvia,lithuania,luxembourg,madagascar,tanzania,uganda,senegal"},
      {"landmark",
       "the eiffel tower,mount everest,the statue of liberty,big ben,"
       "the golden gate bridge,the great wall of china,the empire state building,"
       "the colosseum,stonehenge,the leaning tower of pisa,mount kilimanjaro,"
       "the sydney opera house,the taj mahal,machu picchu,the grand canyon,"
       "niagara falls,mount fuji,the burj khalifa,the space needle,"
       "edinburgh castle,ben nevis,loch ness,buckingham palace,the louvre,"
       "the pyramids,the parthenon,the kremlin,mount rushmore,the white house,"
       "the hoover dam,yellowstone,central park,times square,the london eye"},
      {"business",
       "gas station,pharmacy,supermarket,coffee shop,bakery,hospital,bank,"
       "post office,library,gym,cinema,hardware store,bookshop,dentist,"
       "car wash,parking garage,train station,airport,hotel,barber,"
       "florist,butcher,pizza place,petrol station,laundromat,museum,park,"
       "police station,vet,doctor,school,office,mall,market,zoo,stadium"},
      {"cuisine",
       "italian,chinese,indian,thai,japanese,mexican,french,greek,spanish,"
       "vietnamese,korean,turkish,lebanese,ethiopian,caribbean,american,"
       "vegetarian,vegan,seafood,sushi,burger,barbecue,pizza,noodle"},
      {"transport", "train,bus,subway,tram,ferry,plane,bike,car,taxi"},
      {"food",
       "pasta,rice,bread,eggs,milk,cheese,butter,yogurt,apples,bananas,oranges,"
       "grapes,strawberries,blueberries,lemons,limes,avocados,tomatoes,potatoes,"
       "onions,garlic,carrots,broccoli,spinach,lettuce,cucumbers,peppers,mushrooms,"
       "chicken,beef,pork,salmon,tuna,shrimp,bacon,sausages,ham,turkey,"
       "tofu,beans,lentils,chickpeas,oatmeal,cereal,granola,pancakes,waffles,"
       "cookies,chocolate,ice cream,cake,muffins,croissants,bagels,tortillas,"
       "noodles,soup,salad,pizza,lasagna,curry,chili,stew,risotto,"
       "coffee,tea,orange juice,apple juice,sparkling water,lemonade,wine,beer,"
       "honey,jam,peanut butter,olive oil,vinegar,ketchup,mustard,mayonnaise,"
       "salt,pepper,sugar,flour,cinnamon,basil,oregano,parsley,ginger,"
       "almonds,walnuts,cashews,popcorn,crackers,pretzels,hummus,salsa,"
       "watermelon,pineapple,mangoes,peaches,pears,cherries,plums,kiwis,"
       "celery,zucchini,eggplant,cauliflower,cabbage,kale,asparagus,corn,peas,"
       "haggis,porridge,shortbread,scones,crumpets,marmalade,jerk chicken,"
       "plantains,dumplings,steak,meatballs,quinoa,couscous,bagel,sandwich"},
      {"item",
       "{food},paper towels,toilet paper,dish soap,laundry detergent,shampoo,"
       "conditioner,toothpaste,a toothbrush,deodorant,razors,sunscreen,"
       "batteries,light bulbs,trash bags,aluminum foil,plastic wrap,sponges,"
       "tissues,hand soap,bleach,cat food,dog food,bird seed,diapers,baby wipes,"
       "vitamins,aspirin,bandages,cough drops,candles,matches,envelopes,stamps,"
       "printer paper,pens,pencils,notebooks,tape,glue,scissors,a phone charger,"
       "headphones,a birthday card,flowers,a plant,socks,an umbrella,"
       "a water bottle,coffee filters,ice,charcoal,firewood,a mop,a broom"},
      {"store", "grocery,hardware,pharmacy,party,camping,christmas,holiday,office,garden"},
      {"room",
       "kitchen,living room,bedroom,bathroom,dining room,office,hallway,garage,"
       "basement,attic,nursery,guest room,porch,patio,garden,laundry room,"
       "upstairs,downstairs,study,den"},
      {"device",
       "lights,lamp,fan,heater,air conditioner,television,speaker,"
       "radio,ceiling light,floor lamp,desk lamp,fireplace,humidifier,"
       "dehumidifier,air purifier,coffee maker,kettle,sprinklers,porch light"},
      {"appliance",
       "dishwasher,washing machine,dryer,oven,microwave,vacuum,robot vacuum,"
       "coffee machine,slow cooker,rice cooker,bread maker,air fryer"},
      {"door", "front door,back door,garage door,side door,gate,shed,patio door"},
      {"color",
       "red,blue,green,yellow,purple,orange,pink,white,warm white,cool white,"
       "teal,turquoise,lavender,amber,gold"},
      {"speed", "low,medium,high,maximum,auto"},
      {"scene", "movie,night,reading,party,away,vacation,sleep,focus,dinner,morning"},
      {"percent", "five,fifteen,twenty five,fifty,seventy five,one hundred,ten,twenty,thirty,forty,sixty,seventy,eighty,ninety"},
      {"degrees", "{n60_79},sixty eight,seventy two,twenty,twenty one,twenty two,nineteen,eighteen"},
      {"event",
       "meeting,dentist appointment,doctor appointment,team lunch,standup,"
       "yoga class,piano lesson,soccer practice,book club,date night,"
       "parent teacher conference,job interview,haircut,flight,train,"
       "birthday party,dinner reservation,conference call,budget review,"
       "project review,performance review,workshop,webinar,lecture,exam,"
       "wedding,anniversary dinner,barbecue,game night,movie night,"
       "football match,basketball game,swimming lesson,gym session,"
       "vet appointment,car service,sales call,board meeting,retreat"},
      {"pet", "dog,cat,fish,hamster,rabbit,parrot,puppy,kitten,turtle,guinea pig"},
      {"bill", "electric,gas,water,phone,internet,credit card,cable,rent,insurance"},
      {"instrument", "piano,guitar,violin,drums,cello,flute,trumpet,saxophone,clarinet,bagpipes"},
      {"animal",
       "lion,tiger,elephant,giraffe,zebra,hippo,rhino,cheetah,leopard,gorilla,"
       "chimpanzee,kangaroo,koala,panda,polar bear,grizzly bear,wolf,fox,deer,"
       "moose,beaver,otter,squirrel,hedgehog,badger,owl,eagle,hawk,penguin,"
       "flamingo,peacock,hummingbird,crow,dolphin,whale,shark,octopus,jellyfish,"
       "crab,lobster,turtle,tortoise,crocodile,alligator,snake,lizard,frog,"
       "butterfly,bee,ant,spider,camel,llama,horse,donkey,cow,sheep,goat,pig,"
       "chicken,duck,goose,swan,bat,mouse,hamster,rabbit,sloth,armadillo,"
       "platypus,walrus,seal,raccoon,skunk,lemur,meerkat,hyena,bison,yak"},
      {"unit",
       "inches,feet,yards,miles,centimeters,meters,kilometers,ounces,pounds,"
       "grams,kilograms,cups,pints,quarts,gallons,liters,teaspoons,tablespoons,"
       "minutes,hours,days,weeks,seconds"},
      {"spellword",
       "necessary,rhythm,restaurant,definitely,separate,accommodate,embarrass,"
       "conscience,occasionally,license,calendar,library,february,wednesday,"
       "pneumonia,queue,colonel,island,knowledge,psychology,mischievous,"
       "entrepreneur,bureaucracy,miniature,silhouette,threshold,vacuum,"
       "serendipity,ephemeral,ubiquitous,eloquent,meticulous,resilient"},
      {"invention",
       "telephone,light bulb,airplane,printing press,television,computer,internet,"
       "radio,camera,bicycle,steam engine,microscope,telescope,refrigerator,"
       "typewriter,zipper,vaccine,compass,calculator,dishwasher"},
      {"holiday",
       "christmas,new year,easter,halloween,thanksgiving,valentines day,"
       "independence day,labor day,hanukkah,diwali,ramadan,mothers day,"
       "fathers day,saint patricks day,burns night,boxing day,carnival"},
      {"team",
       "yankees,red sox,lakers,celtics,bulls,warriors,giants,patriots,cowboys,"
       "packers,rangers,celtic,arsenal,chelsea,liverpool,everton,united,city,"
       "tottenham,hibernian,hearts,aberdeen,dodgers,cubs,knicks,mets,jets"},
  };
  return slots;
}

}  // namespace understudy::synth
