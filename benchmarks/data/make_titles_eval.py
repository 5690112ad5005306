"""Write benchmarks/data/titles_eval.csv: job titles labelled with seniority and function.

Three parts, all committed:
- curated: titles written by hand as they show up in CRMs and on profiles, odd ones included;
- holdout: more titles written by hand after the word lists were last tuned, never tuned
  against, so their accuracy is the one to quote;
- generated: levels × functions × roles in five languages, phrased the many ways people write
  them, then roughened with a fixed seed (companies after "at"/"|", emoji, case, pronouns,
  one-letter typos). The labels come from the parts, so they hold whatever the noise does.

Labelling conventions (the same as routing/titles/_words.py states): the seniority is the highest
level the title names; account/product/project managers are ic; MD, managing/executive/general
directors and Geschäftsführer are c_level; General Manager, Country Manager and Head of are
director; Spanish/Portuguese coordinators are managers; the function is the first domain the
title names; product is engineering; customer success is sales; sales/marketing operations are
revops; assistants are ic.

    python benchmarks/data/make_titles_eval.py
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

OUT = Path(__file__).with_name("titles_eval.csv")
SEED = 20260611

C, VP, DIR, MGR, IC, STU, UNK = "c_level", "vp", "director", "manager", "ic", "student", "unknown"

# --- curated -------------------------------------------------------------------------------
# title | language | seniority | function

CURATED = """
Sr. Dir, IT Ops|en|director|it
VP Engineering & Data|en|vp|engineering
Head of RevOps|en|director|revops
CTO/Co-founder|en|c_level|engineering
Directeur des systèmes d'information|fr|director|it
Geschäftsführer|de|c_level|executive
Founder & CEO|en|c_level|executive
CEO|en|c_level|executive
Co-Founder|en|c_level|executive
Owner|en|c_level|executive
Owner/Operator|en|c_level|executive
President|en|c_level|executive
President & CEO|en|c_level|executive
Managing Director|en|c_level|executive
Managing Director, EMEA|en|c_level|executive
Managing Partner|en|c_level|executive
Partner|en|c_level|executive
Chairman of the Board|en|c_level|executive
Board Member|en|c_level|executive
Chief Executive Officer|en|c_level|executive
Chief Operating Officer|en|c_level|operations
Chief Financial Officer|en|c_level|finance
Chief Information Security Officer|en|c_level|security
Chief Data Officer|en|c_level|data
Chief Data & Analytics Officer|en|c_level|data
Chief Revenue Officer|en|c_level|sales
Chief Marketing Officer|en|c_level|marketing
Chief People Officer|en|c_level|hr
Chief Human Resources Officer|en|c_level|hr
Chief Legal Officer|en|c_level|legal
Chief Information Officer|en|c_level|it
Chief Technology Officer|en|c_level|engineering
Chief Product Officer|en|c_level|engineering
Chief Customer Officer|en|c_level|executive
Chief of Staff|en|director|executive
Chief of Staff to the CEO|en|director|executive
Executive Assistant to the CEO|en|ic|other
Assistant to the CFO|en|ic|other
Executive Assistant|en|ic|other
Administrative Assistant|en|ic|other
Office Manager|en|manager|operations
General Manager|en|director|executive
Country Manager, Brazil|en|director|executive
GM, North America|en|director|executive
VP, Global Sales|en|vp|sales
SVP Sales|en|vp|sales
EVP & General Counsel|en|vp|legal
Senior Corporate Counsel|en|ic|legal
AVP, Information Security|en|vp|security
Vice President of Data Science|en|vp|data
VP of People|en|vp|hr
VP Finance|en|vp|finance
VP Ops|en|vp|operations
VP, Revenue Operations|en|vp|revops
V.P. Marketing|en|vp|marketing
RVP Sales - West|en|vp|sales
Group VP, Product|en|vp|engineering
Sr Director Data Platform|en|director|data
Director of Engineering|en|director|engineering
Director, Product Management|en|director|engineering
Director of IT|en|director|it
Director of Information Technology|en|director|it
Director IT Infrastructure|en|director|it
IT Director|en|director|it
Director of Security Operations|en|director|security
Dir. of Marketing|en|director|marketing
Director, Demand Generation|en|director|marketing
Director of Sales Operations|en|director|revops
Marketing Operations Director|en|director|revops
Director - Talent Acquisition|en|director|hr
Director of FP&A|en|director|finance
Associate Director, Analytics|en|director|data
Global Head of Partnerships|en|director|sales
Head of Growth|en|director|marketing
Head of Data|en|director|data
Head of Data & AI|en|director|data
Head of People|en|director|hr
Head of Legal|en|director|legal
Head of Procurement|en|director|operations
Head of Customer Success|en|director|sales
Head of Infrastructure|en|director|it
Head of Product|en|director|engineering
Head of Security|en|director|security
Head of Finance|en|director|finance
Head of Sales Enablement|en|director|revops
Head of Business Intelligence|en|director|data
Engineering Manager|en|manager|engineering
Eng Manager, Payments|en|manager|engineering
Software Engineering Manager|en|manager|engineering
Manager, Data Engineering|en|manager|data
Analytics Manager|en|manager|data
IT Manager|en|manager|it
Mgr, IT Operations|en|manager|it
Security Operations Manager|en|manager|security
Marketing Manager|en|manager|marketing
Product Marketing Manager|en|manager|marketing
Sales Manager|en|manager|sales
Inside Sales Manager|en|manager|sales
Regional Sales Manager|en|manager|sales
Sales Operations Manager|en|manager|revops
HR Manager|en|manager|hr
Recruiting Manager|en|manager|hr
Accounting Manager|en|manager|finance
Finance Manager|en|manager|finance
Procurement Manager|en|manager|operations
Operations Manager|en|manager|operations
Logistics Supervisor|en|manager|operations
Legal Operations Manager|en|manager|legal
Compliance Manager|en|manager|legal
Team Lead, Customer Success|en|manager|sales
Data Lead|en|manager|data
Marketing Lead|en|manager|marketing
Engineering Lead|en|manager|engineering
Tech Lead|en|ic|engineering
Lead Software Engineer|en|ic|engineering
Lead Data Scientist|en|ic|data
Principal Engineer|en|ic|engineering
Staff Software Engineer|en|ic|engineering
Senior Software Engineer|en|ic|engineering
Software Engineer II|en|ic|engineering
SWE|en|ic|engineering
Backend Developer|en|ic|engineering
Full-Stack Developer|en|ic|engineering
Frontend Engineer (React)|en|ic|engineering
DevOps Engineer|en|ic|engineering
Site Reliability Engineer|en|ic|engineering
QA Engineer|en|ic|engineering
Product Manager|en|ic|engineering
Senior Product Manager|en|ic|engineering
Product Owner|en|ic|engineering
Scrum Master|en|ic|engineering
Technical Program Manager|en|ic|engineering
Data Engineer|en|ic|data
Senior Data Analyst|en|ic|data
Data Scientist|en|ic|data
Machine Learning Engineer|en|ic|data
ML Engineer|en|ic|data
Analytics Engineer|en|ic|data
BI Developer|en|ic|data
Business Intelligence Analyst|en|ic|data
Business Analyst|en|ic|data
Data Architect|en|ic|data
Security Engineer|en|ic|security
SOC Analyst|en|ic|security
Penetration Tester|en|ic|security
Information Security Analyst|en|ic|security
Cybersecurity Consultant|en|ic|security
Systems Administrator|en|ic|it
Network Engineer|en|ic|it
Help Desk Technician|en|ic|it
IT Support Specialist|en|ic|it
Desktop Support Analyst|en|ic|it
Database Administrator|en|ic|it
Cloud Engineer|en|ic|it
Salesforce Administrator|en|ic|revops
Sales Operations Analyst|en|ic|revops
Revenue Operations Specialist|en|ic|revops
Marketing Operations Specialist|en|ic|revops
Marketing Automation Specialist|en|ic|revops
CRM Administrator|en|ic|revops
Account Executive|en|ic|sales
Senior Account Executive|en|ic|sales
Enterprise Account Executive|en|ic|sales
Account Manager|en|ic|sales
Key Account Manager|en|ic|sales
SDR|en|ic|sales
BDR|en|ic|sales
Business Development Representative|en|ic|sales
Sales Development Rep|en|ic|sales
Inside Sales Representative|en|ic|sales
Sales Engineer|en|ic|sales
Solutions Consultant|en|ic|sales
Customer Success Manager|en|ic|sales
Territory Manager|en|ic|sales
Marketing Specialist|en|ic|marketing
Content Marketing Specialist|en|ic|marketing
SEO Specialist|en|ic|marketing
Copywriter|en|ic|marketing
Growth Marketer|en|ic|marketing
Marketing Coordinator|en|ic|marketing
Communications Specialist|en|ic|marketing
Social Media Manager|en|ic|marketing
Community Manager|en|ic|marketing
Financial Analyst|en|ic|finance
FP&A Analyst|en|ic|finance
Senior Accountant|en|ic|finance
Staff Accountant|en|ic|finance
Accounts Payable Specialist|en|ic|finance
Bookkeeper|en|ic|finance
Controller|en|ic|finance
Tax Associate|en|ic|finance
Recruiter|en|ic|hr
Technical Recruiter|en|ic|hr
HR Generalist|en|ic|hr
HR Business Partner|en|ic|hr
Talent Acquisition Specialist|en|ic|hr
Payroll Specialist|en|ic|hr
Buyer|en|ic|operations
Supply Chain Analyst|en|ic|operations
Logistics Coordinator|en|ic|operations
Purchasing Agent|en|ic|operations
Paralegal|en|ic|legal
Attorney|en|ic|legal
Corporate Counsel|en|ic|legal
Compliance Analyst|en|ic|legal
Software Engineering Intern|en|student|engineering
Marketing Intern|en|student|marketing
Data Science Intern|en|student|data
Intern|en|student|other
Student|en|student|other
PhD Candidate|en|student|other
Graduate Research Assistant|en|ic|other
Consultant|en|ic|other
Senior Consultant|en|ic|other
Project Manager|en|ic|other
Program Manager|en|ic|other
Designer|en|ic|other
UX Designer|en|ic|other
Teacher|en|ic|other
Manager|en|manager|other
Director|en|director|other
VP|en|vp|other
Senior Associate|en|ic|other
N/A|en|unknown|other
-|en|unknown|other
Retired|en|unknown|other
Marketing|en|unknown|marketing
Sales|en|unknown|sales
IT|en|unknown|it
sales mgr|en|manager|sales
vp sales & marketing|en|vp|sales
VP SALES|en|vp|sales
DIRECTOR OF IT|en|director|it
head of data science @ acme|en|director|data
Director of Engineering at Globex 🚀|en|director|engineering
✨ Growth Marketing Lead ✨|en|manager|marketing
CISO|en|c_level|security
CFO|en|c_level|finance
CMO|en|c_level|marketing
COO|en|c_level|operations
CIO|en|c_level|it
CRO|en|c_level|sales
CHRO|en|c_level|hr
CDO|en|c_level|data
CEO & Co-Founder|en|c_level|executive
Founder, Head of Product|en|c_level|engineering
Co-founder & CTO|en|c_level|engineering
Co-Founder / Head of Sales|en|c_level|sales
Director & Co-founder|en|c_level|executive
Director of IT and Security|en|director|it
Sales & Marketing Manager|en|manager|sales
CFO & COO|en|c_level|finance
Senior Manager, FP&A|en|manager|finance
Sr. Mgr Talent Acquisition|en|manager|hr
Sr Eng|en|ic|engineering
Sr. Dev|en|ic|engineering
Eng Mgr|en|manager|engineering
Dir Mktg|en|director|marketing
SVP, Ops|en|vp|operations
EVP Sales|en|vp|sales
Mgr. Data & Analytics|en|manager|data
Directeur Général|fr|c_level|executive
PDG|fr|c_level|executive
Président Directeur Général|fr|c_level|executive
Fondateur & CEO|fr|c_level|executive
Co-fondatrice|fr|c_level|executive
Gérant|fr|c_level|executive
Directeur Commercial|fr|director|sales
Directrice Marketing|fr|director|marketing
Directeur Financier|fr|director|finance
DAF|fr|director|finance
Directeur Administratif et Financier|fr|director|finance
DRH|fr|director|hr
Directrice des Ressources Humaines|fr|director|hr
Directeur Technique|fr|director|engineering
Directeur des Opérations|fr|director|operations
Directeur Juridique|fr|director|legal
Directeur de la Sécurité des Systèmes d'Information|fr|director|security
RSSI|fr|manager|security
Responsable Informatique|fr|manager|it
Responsable Marketing Digital|fr|manager|marketing
Responsable Commercial|fr|manager|sales
Responsable RH|fr|manager|hr
Responsable Comptable|fr|manager|finance
Responsable Achats|fr|manager|operations
Responsable Data|fr|manager|data
Chef d'équipe Développement|fr|manager|engineering
Ingénieur logiciel|fr|ic|engineering
Développeur Full Stack|fr|ic|engineering
Développeuse Web|fr|ic|engineering
Data Scientist|fr|ic|data
Analyste de données|fr|ic|data
Ingénieur Commercial|fr|ic|sales
Chargé d'affaires|fr|ic|sales
Commercial Terrain|fr|ic|sales
Chargée de communication|fr|ic|marketing
Chargé de recrutement|fr|ic|hr
Comptable|fr|ic|finance
Contrôleur de gestion|fr|ic|finance
Juriste|fr|ic|legal
Acheteur|fr|ic|operations
Technicien informatique|fr|ic|it
Administrateur systèmes et réseaux|fr|ic|it
Analyste SOC|fr|ic|security
Assistante de direction|fr|ic|other
Stagiaire Marketing|fr|student|marketing
Alternant Développeur|fr|student|engineering
Chef de projet|fr|ic|other
Vice-Président Ventes|fr|vp|sales
Geschäftsführerin|de|c_level|executive
Geschäftsführender Gesellschafter|de|c_level|executive
Inhaber|de|c_level|executive
Vorstand Finanzen|de|c_level|finance
Vorstandsvorsitzender|de|c_level|executive
Gründer und CEO|de|c_level|executive
Vertriebsleiter|de|director|sales
Leiter Vertrieb|de|director|sales
Leiterin Marketing|de|director|marketing
Leiter IT|de|director|it
IT-Leiter|de|director|it
Bereichsleiter Finanzen|de|director|finance
Abteilungsleiter Einkauf|de|director|operations
Personalleiterin|de|director|hr
Leiter Rechtsabteilung|de|director|legal
Head of Data Science|de|director|data
Teamleiter Softwareentwicklung|de|manager|engineering
Teamleiterin Buchhaltung|de|manager|finance
Gruppenleiter IT-Sicherheit|de|manager|security
Softwareentwickler|de|ic|engineering
Softwareentwicklerin|de|ic|engineering
Entwickler Java|de|ic|engineering
Systemadministrator|de|ic|it
Datenanalyst|de|ic|data
Vertriebsmitarbeiter|de|ic|sales
Außendienstmitarbeiter|de|ic|sales
Kundenberater|de|ic|sales
Personalreferentin|de|ic|hr
Buchhalterin|de|ic|finance
Finanzbuchhalter|de|ic|finance
Controller|de|ic|finance
Einkäufer|de|ic|operations
Jurist|de|ic|legal
Syndikusrechtsanwalt|de|ic|legal
Datenschutzbeauftragter|de|ic|legal
Informationssicherheitsbeauftragter|de|ic|security
Projektleiter IT|de|ic|it
Produktmanager|de|ic|engineering
Assistenz der Geschäftsführung|de|ic|other
Werkstudent Marketing|de|student|marketing
Praktikant Vertrieb|de|student|sales
Director General|es|c_level|executive
Directora General|es|c_level|executive
Consejero Delegado|es|c_level|executive
Fundador y CEO|es|c_level|executive
Socio Director|es|c_level|executive
Gerente General|es|c_level|executive
Dueño|es|c_level|executive
Director Comercial|es|director|sales
Directora de Marketing|es|director|marketing
Director de Tecnología|es|director|it
Director de Sistemas|es|director|it
Director Financiero|es|director|finance
Directora de Recursos Humanos|es|director|hr
Director de Operaciones|es|director|operations
Director Jurídico|es|director|legal
Subdirector de Ciberseguridad|es|director|security
Vicepresidente de Ventas|es|vp|sales
Gerente de Ventas|es|manager|sales
Gerente de TI|es|manager|it
Jefe de Sistemas|es|manager|it
Jefa de Contabilidad|es|manager|finance
Responsable de Datos|es|manager|data
Coordinador de Marketing|es|manager|marketing
Encargado de Compras|es|manager|operations
Ingeniero de Software|es|ic|engineering
Desarrollador Backend|es|ic|engineering
Analista de Datos|es|ic|data
Científico de Datos|es|ic|data
Ejecutivo de Cuentas|es|ic|sales
Ejecutiva Comercial|es|ic|sales
Vendedor|es|ic|sales
Analista Financiero|es|ic|finance
Contador|es|ic|finance
Abogada|es|ic|legal
Reclutadora|es|ic|hr
Técnico de Soporte|es|ic|it
Administrador de Sistemas|es|ic|it
Analista de Ciberseguridad|es|ic|security
Comprador|es|ic|operations
Asistente de Dirección|es|ic|other
Becario de Marketing|es|student|marketing
Practicante de Ventas|es|student|sales
Diretor Geral|pt|c_level|executive
Diretora Executiva|pt|c_level|executive
Sócio-Diretor|pt|c_level|executive
Fundador e CEO|pt|c_level|executive
Proprietário|pt|c_level|executive
Diretor Comercial|pt|director|sales
Diretora de Marketing|pt|director|marketing
Diretor de TI|pt|director|it
Diretor Financeiro|pt|director|finance
Diretora de RH|pt|director|hr
Diretor de Operações|pt|director|operations
Diretor Jurídico|pt|director|legal
Superintendente de Tecnologia|pt|director|it
Head de Dados|pt|director|data
Vice-Presidente de Vendas|pt|vp|sales
Gerente de Vendas|pt|manager|sales
Gerente de TI|pt|manager|it
Coordenador de TI|pt|manager|it
Coordenadora de Marketing|pt|manager|marketing
Supervisor de Vendas|pt|manager|sales
Gerente de Segurança da Informação|pt|manager|security
Líder de Dados|pt|manager|data
Engenheiro de Software|pt|ic|engineering
Desenvolvedor Full Stack|pt|ic|engineering
Engenheira de Dados|pt|ic|data
Cientista de Dados|pt|ic|data
Analista de BI|pt|ic|data
Executivo de Contas|pt|ic|sales
Consultor Comercial|pt|ic|sales
Analista Financeiro|pt|ic|finance
Contadora|pt|ic|finance
Advogado|pt|ic|legal
Analista de RH|pt|ic|hr
Recrutadora|pt|ic|hr
Analista de Segurança da Informação|pt|ic|security
Analista de Sistemas|pt|ic|it
Analista de Compras|pt|ic|operations
Estagiário de TI|pt|student|it
Estagiária de Marketing|pt|student|marketing
Jovem Aprendiz|pt|student|other
"""

# --- holdout -------------------------------------------------------------------------------
# Written after the word lists were last tuned, and not tuned against: its accuracy is the
# honest one. Same format as CURATED.

HOLDOUT = """
VP, Product & Engineering|en|vp|engineering
Vice President - Information Technology|en|vp|it
VP Customer Experience|en|vp|sales
VP of Growth|en|vp|marketing
SVP & CIO|en|c_level|it
Senior Vice-President, Human Resources|en|vp|hr
Exec. VP Finance|en|vp|finance
Vice President Global Supply Chain|en|vp|operations
VP, Data Science & Machine Learning|en|vp|data
VP Technology|en|vp|it
Director, Enterprise Architecture|en|director|it
Director of Software Development|en|director|engineering
Director Cloud Operations|en|director|it
Director of Network Services|en|director|it
Director, Threat Management|en|director|security
Director of Corporate Communications|en|director|marketing
Director of Brand Marketing|en|director|marketing
Director, Channel Partnerships|en|director|sales
Director of Inside Sales|en|director|sales
Director, Revenue Strategy & Operations|en|director|revops
Director of GTM Strategy|en|director|revops
Director of Accounting|en|director|finance
Director of Tax|en|director|finance
Director, HR Business Partners|en|director|hr
Director of Talent|en|director|hr
Director of Purchasing|en|director|operations
Director of Facilities|en|director|operations
Director, Regulatory Compliance|en|director|legal
Senior Director, Privacy & Data Protection|en|director|legal
Head of Engineering|en|director|engineering
Head of Platform Engineering|en|director|engineering
Head of Analytics & Insights|en|director|data
Head of BI|en|director|data
Head of Cyber|en|director|security
Head of IT Service Management|en|director|it
Head of Brand & Content|en|director|marketing
Head of Demand Gen|en|director|marketing
Head of Sales, DACH|en|director|sales
Head of Partnerships & Alliances|en|director|sales
Head of Sales Ops|en|director|revops
Head of Marketing Ops|en|director|revops
Head of Payroll|en|director|hr
Head of Treasury|en|director|finance
Head of Logistics|en|director|operations
Head of Compliance|en|director|legal
IT Operations Manager|en|manager|it
Network Operations Manager|en|manager|it
Help Desk Manager|en|manager|it
Manager, Software Development|en|manager|engineering
QA Manager|en|manager|engineering
Manager - Data Platform|en|manager|data
BI Manager|en|manager|data
Cyber Security Manager|en|manager|security
Information Security Manager|en|manager|security
Digital Marketing Manager|en|manager|marketing
Events Manager|en|manager|marketing
Content Manager|en|manager|marketing
Business Development Manager|en|manager|sales
Channel Sales Manager|en|manager|sales
Area Sales Manager|en|manager|sales
Sales Enablement Manager|en|manager|revops
Revenue Operations Manager|en|manager|revops
Payroll Manager|en|manager|hr
Talent Acquisition Manager|en|manager|hr
Tax Manager|en|manager|finance
Treasury Manager|en|manager|finance
Supply Chain Manager|en|manager|operations
Warehouse Manager|en|manager|operations
Plant Manager|en|manager|operations
Contracts Manager|en|manager|legal
Team Leader - Service Desk|en|manager|it
Engineering Team Lead|en|manager|engineering
Sales Team Lead|en|manager|sales
Recruitment Team Leader|en|manager|hr
Software Developer III|en|ic|engineering
Sr. Backend Engineer (Python)|en|ic|engineering
Staff Frontend Engineer|en|ic|engineering
Android Developer|en|ic|engineering
Firmware Engineer|en|ic|engineering
Release Engineer|en|ic|engineering
Platform Engineer|en|ic|engineering
Senior QA Analyst|en|ic|engineering
Data Analyst II|en|ic|data
Senior Analytics Consultant|en|ic|data
Research Data Scientist|en|ic|data
NLP Engineer|en|ic|data
Big Data Engineer|en|ic|data
Data Modeler|en|ic|data
Cloud Security Engineer|en|ic|security
Security Operations Analyst|en|ic|security
Vulnerability Management Analyst|en|ic|security
Incident Response Analyst|en|ic|security
Network Administrator|en|ic|it
IT Administrator|en|ic|it
Systems Analyst|en|ic|it
Desktop Support Engineer|en|ic|it
Demand Generation Manager|en|manager|marketing
Email Marketing Specialist|en|ic|marketing
PR Specialist|en|ic|marketing
Content Creator|en|ic|marketing
Graphic Designer|en|ic|other
Inside Sales Executive|en|ic|sales
Account Executive, Mid-Market|en|ic|sales
Strategic Account Executive|en|ic|sales
Sales Consultant|en|ic|sales
Partner Manager|en|ic|sales
Client Partner|en|ic|sales
Customer Success Specialist|en|ic|sales
Business Development Executive|en|ic|sales
Sales Ops Specialist|en|ic|revops
Revenue Operations Associate|en|ic|revops
Salesforce Developer|en|ic|revops
Marketing Operations Manager|en|manager|revops
Senior Financial Analyst|en|ic|finance
Accounts Receivable Clerk|en|ic|finance
Payroll Administrator|en|ic|hr
Junior Accountant|en|ic|finance
Internal Auditor|en|ic|finance
Talent Sourcer|en|ic|hr
People Operations Specialist|en|ic|hr
Benefits Coordinator|en|ic|hr
Procurement Analyst|en|ic|operations
Logistics Analyst|en|ic|operations
Supply Planner|en|ic|operations
Legal Counsel, EMEA|en|ic|legal
Contract Specialist|en|ic|legal
Privacy Counsel|en|ic|legal
Software Engineer Intern|en|student|engineering
Finance Intern|en|student|finance
HR Intern|en|student|hr
Marketing Trainee|en|student|marketing
Co-op Student, IT|en|student|it
Co-Founder & COO|en|c_level|operations
Founder & Chief Product Officer|en|c_level|engineering
Owner, Principal Consultant|en|c_level|executive
Proprietor|en|c_level|executive
Chief Digital Officer|en|c_level|executive
Chief Security Officer|en|c_level|security
Chief Commercial Officer|en|c_level|sales
Chief Growth Officer|en|c_level|marketing
Chief Strategy Officer|en|c_level|executive
Chief Accounting Officer|en|c_level|finance
Chief Talent Officer|en|c_level|hr
Chief Privacy Officer|en|c_level|legal
Chief AI Officer|en|c_level|data
Chief Procurement Officer|en|c_level|operations
Executive Director|en|c_level|executive
Director of Engineering & Co-Founder|en|c_level|engineering
Head of Product & Co-founder|en|c_level|engineering
VP Eng|en|vp|engineering
Dir., Mktg Ops|en|director|revops
Sr Mgr, Biz Dev|en|manager|sales
Mgr IT Infra|en|manager|it
Asst. Controller|en|ic|finance
Assistant Director of Admissions|en|director|other
Office Administrator|en|ic|operations
Receptionist|en|ic|other
Operations Coordinator|en|ic|operations
Project Coordinator|en|ic|other
Senior Program Manager, IT|en|ic|it
IT Project Manager|en|ic|it
Account Director|en|director|sales
Regional Director, Sales|en|director|sales
Sr. Director of Product|en|director|engineering
Associate Vice President, IT|en|vp|it
sr. software eng.|en|ic|engineering
SENIOR DATA ENGINEER|en|ic|data
head of marketing|en|director|marketing
Director of Enginering|en|director|engineering
Sofware Engineer|en|ic|engineering
Markting Director|en|director|marketing
Finanical Analyst|en|ic|finance
Recuiter|en|ic|hr
Secruity Engineer|en|ic|security
VP of Slaes|en|vp|sales
Data Engineer 📊|en|ic|data
🔥 Growth Hacker|en|ic|marketing
Head of Talent | Hiring across EMEA|en|director|hr
Product Manager @ Hooli (ex-Google)|en|ic|engineering
Sales Director (she/her)|en|director|sales
Directeur Informatique|fr|director|it
Directrice de la communication|fr|director|marketing
Directeur des achats|fr|director|operations
Directeur Supply Chain|fr|director|operations
Directeur Data & IA|fr|director|data
Directrice Financière|fr|director|finance
Directeur Commercial France|fr|director|sales
Directeur du Développement Commercial|fr|director|sales
Directeur de Production|fr|director|operations
Responsable Sécurité des Systèmes d'Information|fr|manager|security
Responsable Infrastructure|fr|manager|it
Responsable Recrutement|fr|manager|hr
Responsable Paie|fr|manager|hr
Responsable Contrôle de Gestion|fr|manager|finance
Responsable Logistique|fr|manager|operations
Responsable Juridique|fr|manager|legal
Responsable Grands Comptes|fr|ic|sales
Responsable Marketing Opérationnel|fr|manager|marketing
Responsable ADV|fr|manager|revops
Chef de projet informatique|fr|ic|it
Ingénieur d'affaires|fr|ic|sales
Ingénieure réseaux|fr|ic|it
Ingénieur Cybersécurité|fr|ic|security
Ingénieur Data|fr|ic|data
Développeur Java Senior|fr|ic|engineering
Analyste financière|fr|ic|finance
Comptable fournisseurs|fr|ic|finance
Assistante RH|fr|ic|hr
Chargée de relations presse|fr|ic|marketing
Chargé de marketing digital|fr|ic|marketing
Commercial sédentaire|fr|ic|sales
Technico-commercial|fr|ic|sales
Juriste droit social|fr|ic|legal
Gestionnaire ADV|fr|ic|revops
Acheteuse|fr|ic|operations
Stagiaire développeur|fr|student|engineering
Alternant RH|fr|student|hr
Président fondateur|fr|c_level|executive
Cofondateur et CTO|fr|c_level|engineering
Directeur Général Délégué|fr|c_level|executive
Associée gérante|fr|c_level|executive
DSI|fr|director|it
Responsable SI|fr|manager|it
Leiter Einkauf|de|director|operations
Leiterin Personal|de|director|hr
Leiter Softwareentwicklung|de|director|engineering
Leiter Informationssicherheit|de|director|security
Leitung Controlling|de|director|finance
Marketingleiter|de|director|marketing
Einkaufsleiterin|de|director|operations
Produktionsleiter|de|director|operations
Logistikleiter|de|director|operations
Entwicklungsleiter|de|director|engineering
Kaufmännischer Leiter|de|director|finance
Technischer Leiter|de|director|engineering
Vertriebsdirektor|de|director|sales
Head of Vertrieb|de|director|sales
Teamleiter Vertrieb Innendienst|de|manager|sales
Teamleiterin Recruiting|de|manager|hr
Gruppenleiter Controlling|de|manager|finance
Teamleiter IT-Support|de|manager|it
Abteilungsleiter IT|de|director|it
Senior Softwareentwickler|de|ic|engineering
Java-Entwickler|de|ic|engineering
Frontend-Entwicklerin|de|ic|engineering
Netzwerkadministrator|de|ic|it
IT-Systemadministrator|de|ic|it
Datenbankadministrator|de|ic|it
Sachbearbeiterin Buchhaltung|de|ic|finance
Bilanzbuchhalterin|de|ic|finance
Steuerberater|de|ic|finance
Personalsachbearbeiterin|de|ic|hr
Vertriebsbeauftragter|de|ic|sales
Key Account Managerin|de|ic|sales
Außendienstmitarbeiterin|de|ic|sales
Marketing Managerin|de|manager|marketing
Online Marketing Managerin|de|manager|marketing
Einkäuferin|de|ic|operations
Logistikmitarbeiter|de|ic|operations
Rechtsanwältin|de|ic|legal
Justiziar|de|ic|legal
IT-Sicherheitsbeauftragter|de|ic|security
Werkstudentin Data Analytics|de|student|data
Auszubildende Industriekauffrau|de|student|other
Praktikant Softwareentwicklung|de|student|engineering
Geschäftsführer (CEO)|de|c_level|executive
Geschäftsführender Gesellschafter & CTO|de|c_level|engineering
Mitglied des Vorstands|de|c_level|executive
Inhaber & Geschäftsführer|de|c_level|executive
Prokurist|de|director|other
Vorstand Vertrieb|de|c_level|sales
Director de Tecnologías de la Información|es|director|it
Director de Seguridad de la Información|es|director|security
Directora de Comunicación|es|director|marketing
Director de Compras|es|director|operations
Director de Logística|es|director|operations
Director de Datos y Analítica|es|director|data
Directora de Finanzas|es|director|finance
Director de Talento Humano|es|director|hr
Director de Asuntos Legales|es|director|legal
Gerente Comercial|es|manager|sales
Gerente de Sistemas|es|manager|it
Gerente de Mercadeo|es|manager|marketing
Gerente de Recursos Humanos|es|manager|hr
Gerente Financiero|es|manager|finance
Gerente de Operaciones|es|manager|operations
Jefe de Ventas|es|manager|sales
Jefe de Desarrollo|es|manager|engineering
Jefa de Selección|es|manager|hr
Jefe de Logística|es|manager|operations
Jefe de Seguridad Informática|es|manager|security
Coordinadora de Recursos Humanos|es|manager|hr
Líder de Ingeniería|es|manager|engineering
Desarrolladora Frontend|es|ic|engineering
Ingeniera de Datos|es|ic|data
Analista de Inteligencia de Negocios|es|ic|data
Analista Contable|es|ic|finance
Asistente Contable|es|ic|finance
Ejecutivo de Ventas|es|ic|sales
Asesora Comercial|es|ic|sales
Representante Comercial|es|ic|sales
Abogado Corporativo|es|ic|legal
Analista de Cumplimiento|es|ic|legal
Técnico en Redes|es|ic|it
Soporte Técnico|es|ic|it
Analista de Compras Sr.|es|ic|operations
Becaria de Finanzas|es|student|finance
Practicante de Sistemas|es|student|it
CEO y Cofundadora|es|c_level|executive
Presidente Ejecutivo|es|c_level|executive
Director General Adjunto|es|c_level|executive
Propietario y Gerente|es|c_level|executive
Diretor de Tecnologia|pt|director|it
Diretora de Gente e Gestão|pt|director|hr
Diretor de Suprimentos|pt|director|operations
Diretor de Vendas|pt|director|sales
Diretor de Dados|pt|director|data
Diretora Jurídica|pt|director|legal
Diretor de Segurança da Informação|pt|director|security
Diretor de Engenharia|pt|director|engineering
Diretora Financeira|pt|director|finance
Head de Marketing|pt|director|marketing
Head de Vendas|pt|director|sales
Head de Produto|pt|director|engineering
Gerente de Marketing Digital|pt|manager|marketing
Gerente de Infraestrutura|pt|manager|it
Gerente de Controladoria|pt|manager|finance
Gerente Jurídico|pt|manager|legal
Gerente de Engenharia|pt|manager|engineering
Coordenador de Vendas|pt|manager|sales
Coordenadora de RH|pt|manager|hr
Coordenador de Infraestrutura|pt|manager|it
Coordenador Financeiro|pt|manager|finance
Supervisora de Atendimento|pt|manager|other
Analista de Infraestrutura|pt|ic|it
Analista de Suporte|pt|ic|it
Analista Desenvolvedor|pt|ic|engineering
Desenvolvedora Front-end|pt|ic|engineering
Engenheiro de Dados Sênior|pt|ic|data
Analista de Dados Pleno|pt|ic|data
Analista de Cibersegurança|pt|ic|security
Analista de Marketing Digital|pt|ic|marketing
Vendedora|pt|ic|sales
Analista Fiscal|pt|ic|finance
Analista de Departamento Pessoal|pt|ic|hr
Assistente de RH|pt|ic|hr
Advogada Corporativa|pt|ic|legal
Analista de Logística Jr|pt|ic|operations
Comprador Técnico|pt|ic|operations
Estagiário de Engenharia|pt|student|engineering
Estagiária Jurídica|pt|student|legal
Trainee de Vendas|pt|student|sales
Sócio-Fundador e CEO|pt|c_level|executive
Presidente do Conselho|pt|c_level|executive
CEO & Fundadora|pt|c_level|executive
Diretor Presidente|pt|c_level|executive
"""

# --- generated -----------------------------------------------------------------------------
# (pattern, seniority): {f} is a function phrase of the same language.

LEVELS: dict[str, list[tuple[str, str]]] = {
    "en": [
        ("VP {f}", VP),
        ("VP of {f}", VP),
        ("VP, {f}", VP),
        ("Vice President, {f}", VP),
        ("Vice President of {f}", VP),
        ("SVP {f}", VP),
        ("SVP, {f}", VP),
        ("EVP, {f}", VP),
        ("Senior Vice President of {f}", VP),
        ("AVP {f}", VP),
        ("{f} VP", VP),
        ("Group Vice President, {f}", VP),
        ("Director of {f}", DIR),
        ("Director, {f}", DIR),
        ("{f} Director", DIR),
        ("Sr. Director, {f}", DIR),
        ("Senior Director of {f}", DIR),
        ("Sr Dir {f}", DIR),
        ("Dir. {f}", DIR),
        ("Head of {f}", DIR),
        ("Global Head of {f}", DIR),
        ("Associate Director, {f}", DIR),
        ("{f} Director, EMEA", DIR),
        ("Director {f} North America", DIR),
        ("{f} Manager", MGR),
        ("Manager, {f}", MGR),
        ("Manager of {f}", MGR),
        ("Senior {f} Manager", MGR),
        ("Sr. Manager, {f}", MGR),
        ("Sr Mgr {f}", MGR),
        ("{f} Mgr", MGR),
        ("{f} Team Lead", MGR),
        ("Team Lead - {f}", MGR),
        ("{f} Supervisor", MGR),
        ("{f} Lead", MGR),
        ("Lead, {f}", MGR),
        ("{f} Intern", STU),
        ("Intern - {f}", STU),
        ("Summer Intern, {f}", STU),
    ],
    "fr": [
        ("Directeur {f}", DIR),
        ("Directrice {f}", DIR),
        ("Directeur {f} France", DIR),
        ("Head of {f}", DIR),
        ("Directeur adjoint {f}", DIR),
        ("Vice-Président {f}", VP),
        ("VP {f}", VP),
        ("Responsable {f}", MGR),
        ("Manager {f}", MGR),
        ("Chef de service {f}", MGR),
        ("Responsable {f} Europe", MGR),
        ("Stagiaire {f}", STU),
        ("Alternante {f}", STU),
    ],
    "de": [
        ("Leiter {f}", DIR),
        ("Leiterin {f}", DIR),
        ("Head of {f}", DIR),
        ("Bereichsleiter {f}", DIR),
        ("Abteilungsleiterin {f}", DIR),
        ("Direktor {f}", DIR),
        ("Leitung {f}", DIR),
        ("Teamleiter {f}", MGR),
        ("Teamleiterin {f}", MGR),
        ("Gruppenleiter {f}", MGR),
        ("Manager {f}", MGR),
        ("Werkstudent {f}", STU),
        ("Praktikantin {f}", STU),
    ],
    "es": [
        ("Director de {f}", DIR),
        ("Directora de {f}", DIR),
        ("Subdirector de {f}", DIR),
        ("Head of {f}", DIR),
        ("Vicepresidente de {f}", VP),
        ("VP de {f}", VP),
        ("Gerente de {f}", MGR),
        ("Jefe de {f}", MGR),
        ("Jefa de {f}", MGR),
        ("Responsable de {f}", MGR),
        ("Coordinador de {f}", MGR),
        ("Supervisora de {f}", MGR),
        ("Becario de {f}", STU),
        ("Practicante de {f}", STU),
    ],
    "pt": [
        ("Diretor de {f}", DIR),
        ("Diretora de {f}", DIR),
        ("Head de {f}", DIR),
        ("Superintendente de {f}", DIR),
        ("Vice-Presidente de {f}", VP),
        ("VP de {f}", VP),
        ("Gerente de {f}", MGR),
        ("Coordenador de {f}", MGR),
        ("Coordenadora de {f}", MGR),
        ("Supervisor de {f}", MGR),
        ("Estagiário de {f}", STU),
        ("Estagiária de {f}", STU),
    ],
}

DOMAINS: dict[str, dict[str, list[str]]] = {
    "en": {
        "it": [
            "IT",
            "Information Technology",
            "IT Operations",
            "IT Infrastructure",
            "Infrastructure",
            "Information Systems",
            "IT Ops",
            "Enterprise Applications",
            "IT Services",
            "End User Computing",
            "Cloud Infrastructure",
            "Network Operations",
        ],
        "engineering": [
            "Engineering",
            "Software Engineering",
            "Software Development",
            "Platform Engineering",
            "R&D",
            "Product",
            "Product Management",
            "Mobile Engineering",
            "QA",
            "DevOps",
            "Eng",
            "Site Reliability",
        ],
        "data": [
            "Data",
            "Data & Analytics",
            "Analytics",
            "Business Intelligence",
            "Data Science",
            "Data Engineering",
            "Data Platform",
            "BI",
            "Machine Learning",
            "AI",
            "Data Governance",
            "Insights & Analytics",
        ],
        "security": [
            "Security",
            "Information Security",
            "Cybersecurity",
            "Cyber Security",
            "InfoSec",
            "Security Operations",
            "IT Security",
            "Application Security",
            "Cloud Security",
            "Product Security",
            "Identity & Access Management",
        ],
        "marketing": [
            "Marketing",
            "Digital Marketing",
            "Product Marketing",
            "Demand Generation",
            "Growth Marketing",
            "Brand",
            "Communications",
            "Content Marketing",
            "Field Marketing",
            "Mktg",
            "Corporate Communications",
            "Performance Marketing",
        ],
        "sales": [
            "Sales",
            "Business Development",
            "Enterprise Sales",
            "Inside Sales",
            "Channel Sales",
            "Partnerships",
            "Strategic Accounts",
            "Key Accounts",
            "New Business",
            "Customer Success",
            "Alliances",
            "Pre-Sales",
        ],
        "revops": [
            "Revenue Operations",
            "RevOps",
            "Sales Operations",
            "Sales Ops",
            "Marketing Operations",
            "GTM Operations",
            "Sales Enablement",
            "Rev Ops",
            "Go-to-Market Operations",
            "CRM",
            "Commercial Operations",
            "Deal Desk",
        ],
        "finance": [
            "Finance",
            "FP&A",
            "Accounting",
            "Financial Planning & Analysis",
            "Treasury",
            "Tax",
            "Corporate Finance",
            "Controlling",
            "Finance & Accounting",
            "Internal Audit",
            "Payroll Accounting",
        ],
        "hr": [
            "HR",
            "Human Resources",
            "People",
            "People Operations",
            "Talent Acquisition",
            "Recruiting",
            "Total Rewards",
            "People & Culture",
            "Learning & Development",
            "Compensation & Benefits",
            "Talent",
        ],
        "operations": [
            "Operations",
            "Supply Chain",
            "Logistics",
            "Procurement",
            "Business Operations",
            "Manufacturing",
            "Facilities",
            "Purchasing",
            "Global Operations",
            "Ops",
            "Strategic Sourcing",
        ],
        "legal": [
            "Legal",
            "Legal Affairs",
            "Compliance",
            "Privacy",
            "Legal & Compliance",
            "Contracts",
            "Regulatory Affairs",
            "Intellectual Property",
        ],
    },
    "fr": {
        "it": ["Informatique", "des Systèmes d'Information", "SI", "Infrastructure IT"],
        "engineering": ["Technique", "R&D", "Produit", "du Développement", "Ingénierie"],
        "data": ["Data", "de la Data", "Data & IA", "BI", "Données"],
        "security": ["Sécurité", "Cybersécurité", "de la Sécurité Informatique"],
        "marketing": ["Marketing", "de la Communication", "Marketing Digital", "Communication"],
        "sales": ["Commercial", "des Ventes", "Grands Comptes", "Développement Commercial"],
        "revops": ["Opérations Commerciales", "Sales Ops", "Revenue Operations"],
        "finance": ["Financier", "Administratif et Financier", "Comptabilité", "Finance"],
        "hr": ["RH", "des Ressources Humaines", "Recrutement", "Ressources Humaines"],
        "operations": ["des Opérations", "Logistique", "des Achats", "Supply Chain", "Production"],
        "legal": ["Juridique", "Conformité", "des Affaires Juridiques"],
    },
    "de": {
        "it": ["IT", "EDV", "Informatik", "IT-Infrastruktur", "Informationstechnologie"],
        "engineering": ["Softwareentwicklung", "Entwicklung", "Forschung & Entwicklung", "Technik"],
        "data": ["Data & Analytics", "Business Intelligence", "Datenanalyse", "Daten"],
        "security": ["IT-Sicherheit", "Informationssicherheit", "Cybersicherheit"],
        "marketing": ["Marketing", "Kommunikation", "Onlinemarketing", "Unternehmenskommunikation"],
        "sales": ["Vertrieb", "Verkauf", "Key Account Management", "Vertriebsinnendienst"],
        "revops": ["Vertriebssteuerung", "Sales Operations", "Revenue Operations"],
        "finance": ["Finanzen", "Controlling", "Rechnungswesen", "Buchhaltung"],
        "hr": ["Personal", "HR", "Personalwesen", "Recruiting", "Personalentwicklung"],
        "operations": ["Einkauf", "Logistik", "Produktion", "Supply Chain", "Qualitätsmanagement"],
        "legal": ["Recht", "Rechtsabteilung", "Compliance", "Datenschutz"],
    },
    "es": {
        "it": ["TI", "Sistemas", "Tecnología", "Tecnologías de la Información", "Infraestructura"],
        "engineering": ["Ingeniería", "Desarrollo de Software", "Producto", "Desarrollo"],
        "data": ["Datos", "Analítica", "Inteligencia de Negocios", "Data & Analytics"],
        "security": ["Seguridad de la Información", "Ciberseguridad", "Seguridad Informática"],
        "marketing": ["Marketing", "Mercadotecnia", "Comunicación", "Marketing Digital"],
        "sales": ["Ventas", "Desarrollo de Negocio", "Cuentas Clave", "Ventas Corporativas"],
        "revops": ["Operaciones Comerciales", "Operaciones de Ventas", "Revenue Operations"],
        "finance": ["Finanzas", "Administración y Finanzas", "Contabilidad", "Tesorería"],
        "hr": ["Recursos Humanos", "RRHH", "Talento Humano", "Reclutamiento"],
        "operations": ["Operaciones", "Logística", "Compras", "Cadena de Suministro"],
        "legal": ["Legal", "Asesoría Jurídica", "Cumplimiento Normativo", "Asuntos Legales"],
    },
    "pt": {
        "it": ["TI", "Tecnologia", "Tecnologia da Informação", "Sistemas", "Infraestrutura"],
        "engineering": ["Engenharia", "Desenvolvimento", "Produto", "Engenharia de Software"],
        "data": ["Dados", "Dados e Analytics", "BI", "Inteligência de Negócios"],
        "security": ["Segurança da Informação", "Cibersegurança", "Segurança Cibernética"],
        "marketing": ["Marketing", "Comunicação", "Marketing Digital", "Mídias Sociais"],
        "sales": ["Vendas", "Comercial", "Novos Negócios", "Grandes Contas"],
        "revops": ["Operações Comerciais", "Operações de Vendas", "RevOps"],
        "finance": ["Finanças", "Controladoria", "Contabilidade", "Financeiro"],
        "hr": ["Recursos Humanos", "RH", "Gente e Gestão", "Pessoas"],
        "operations": ["Operações", "Logística", "Suprimentos", "Compras"],
        "legal": ["Jurídico", "Compliance", "Contratos"],
    },
}

# Individual contributors: (title, function); a prefix from IC_PREFIXES may be added.
ROLES: dict[str, list[tuple[str, str]]] = {
    "en": [
        ("Systems Administrator", "it"),
        ("Network Engineer", "it"),
        ("IT Support Specialist", "it"),
        ("Help Desk Technician", "it"),
        ("IT Analyst", "it"),
        ("Cloud Engineer", "it"),
        ("Infrastructure Engineer", "it"),
        ("Sysadmin", "it"),
        ("Service Desk Analyst", "it"),
        ("IT Technician", "it"),
        ("Software Engineer", "engineering"),
        ("Software Developer", "engineering"),
        ("Backend Developer", "engineering"),
        ("Frontend Engineer", "engineering"),
        ("Full Stack Developer", "engineering"),
        ("DevOps Engineer", "engineering"),
        ("Site Reliability Engineer", "engineering"),
        ("QA Engineer", "engineering"),
        ("Mobile Developer", "engineering"),
        ("iOS Engineer", "engineering"),
        ("Product Manager", "engineering"),
        ("Embedded Software Engineer", "engineering"),
        ("Web Developer", "engineering"),
        ("Test Automation Engineer", "engineering"),
        ("Java Developer", "engineering"),
        ("Data Scientist", "data"),
        ("Data Analyst", "data"),
        ("Data Engineer", "data"),
        ("BI Analyst", "data"),
        ("Analytics Engineer", "data"),
        ("Machine Learning Engineer", "data"),
        ("Business Intelligence Developer", "data"),
        ("Data Architect", "data"),
        ("Statistician", "data"),
        ("Quantitative Analyst", "data"),
        ("Reporting Analyst", "data"),
        ("Insights Analyst", "data"),
        ("Security Engineer", "security"),
        ("Security Analyst", "security"),
        ("SOC Analyst", "security"),
        ("Penetration Tester", "security"),
        ("Information Security Analyst", "security"),
        ("Cybersecurity Specialist", "security"),
        ("Application Security Engineer", "security"),
        ("Security Architect", "security"),
        ("Threat Intelligence Analyst", "security"),
        ("IAM Engineer", "security"),
        ("Marketing Specialist", "marketing"),
        ("Content Writer", "marketing"),
        ("Marketing Coordinator", "marketing"),
        ("Digital Marketing Specialist", "marketing"),
        ("SEO Specialist", "marketing"),
        ("Marketing Associate", "marketing"),
        ("Brand Strategist", "marketing"),
        ("Social Media Specialist", "marketing"),
        ("Marketing Analyst", "marketing"),
        ("Communications Specialist", "marketing"),
        ("Content Strategist", "marketing"),
        ("Events Coordinator", "marketing"),
        ("Marketing Executive", "marketing"),
        ("Account Executive", "sales"),
        ("Sales Development Representative", "sales"),
        ("Business Development Representative", "sales"),
        ("Account Manager", "sales"),
        ("Sales Representative", "sales"),
        ("Inside Sales Rep", "sales"),
        ("Sales Engineer", "sales"),
        ("Solutions Consultant", "sales"),
        ("Key Account Manager", "sales"),
        ("Customer Success Manager", "sales"),
        ("Sales Associate", "sales"),
        ("Channel Account Manager", "sales"),
        ("Sales Executive", "sales"),
        ("Sales Operations Analyst", "revops"),
        ("Revenue Operations Analyst", "revops"),
        ("Salesforce Administrator", "revops"),
        ("RevOps Specialist", "revops"),
        ("Marketing Operations Specialist", "revops"),
        ("CRM Administrator", "revops"),
        ("Sales Ops Analyst", "revops"),
        ("Marketing Automation Specialist", "revops"),
        ("Deal Desk Analyst", "revops"),
        ("Sales Enablement Specialist", "revops"),
        ("HubSpot Admin", "revops"),
        ("Financial Analyst", "finance"),
        ("Accountant", "finance"),
        ("Staff Accountant", "finance"),
        ("FP&A Analyst", "finance"),
        ("Tax Analyst", "finance"),
        ("Accounts Payable Specialist", "finance"),
        ("Bookkeeper", "finance"),
        ("Treasury Analyst", "finance"),
        ("Auditor", "finance"),
        ("Billing Specialist", "finance"),
        ("Credit Analyst", "finance"),
        ("Recruiter", "hr"),
        ("HR Generalist", "hr"),
        ("Talent Acquisition Specialist", "hr"),
        ("HR Business Partner", "hr"),
        ("Technical Recruiter", "hr"),
        ("People Partner", "hr"),
        ("HR Coordinator", "hr"),
        ("Payroll Specialist", "hr"),
        ("Compensation Analyst", "hr"),
        ("HRIS Analyst", "hr"),
        ("Sourcer", "hr"),
        ("Operations Analyst", "operations"),
        ("Buyer", "operations"),
        ("Procurement Specialist", "operations"),
        ("Logistics Coordinator", "operations"),
        ("Supply Chain Analyst", "operations"),
        ("Purchasing Agent", "operations"),
        ("Operations Associate", "operations"),
        ("Facilities Coordinator", "operations"),
        ("Production Planner", "operations"),
        ("Inventory Analyst", "operations"),
        ("Counsel", "legal"),
        ("Corporate Counsel", "legal"),
        ("Paralegal", "legal"),
        ("Attorney", "legal"),
        ("Legal Counsel", "legal"),
        ("Compliance Analyst", "legal"),
        ("Privacy Analyst", "legal"),
        ("Lawyer", "legal"),
        ("Compliance Officer", "legal"),
        ("Legal Assistant", "legal"),
    ],
    "fr": [
        ("Ingénieur logiciel", "engineering"),
        ("Développeur web", "engineering"),
        ("Développeuse Full Stack", "engineering"),
        ("Ingénieur DevOps", "engineering"),
        ("Ingénieur d'études", "engineering"),
        ("Analyste de données", "data"),
        ("Data Analyst", "data"),
        ("Data Engineer", "data"),
        ("Chargé de marketing", "marketing"),
        ("Chargée de communication", "marketing"),
        ("Commercial", "sales"),
        ("Commerciale sédentaire", "sales"),
        ("Ingénieur commercial", "sales"),
        ("Business Developer", "sales"),
        ("Chargé d'affaires", "sales"),
        ("Comptable", "finance"),
        ("Contrôleur de gestion", "finance"),
        ("Analyste financier", "finance"),
        ("Juriste", "legal"),
        ("Juriste d'affaires", "legal"),
        ("Chargée de recrutement", "hr"),
        ("Gestionnaire de paie", "hr"),
        ("Technicien informatique", "it"),
        ("Administrateur systèmes et réseaux", "it"),
        ("Technicien support", "it"),
        ("Acheteur", "operations"),
        ("Acheteuse projet", "operations"),
        ("Ingénieur sécurité", "security"),
        ("Analyste SOC", "security"),
        ("Consultante cybersécurité", "security"),
    ],
    "de": [
        ("Softwareentwickler", "engineering"),
        ("Softwareentwicklerin", "engineering"),
        ("Entwickler Java", "engineering"),
        ("Produktmanager", "engineering"),
        ("Systemadministrator", "it"),
        ("IT-Berater", "it"),
        ("Fachinformatiker Systemintegration", "it"),
        ("Datenanalyst", "data"),
        ("Data Scientist", "data"),
        ("Vertriebsmitarbeiter", "sales"),
        ("Außendienstmitarbeiter", "sales"),
        ("Key Account Manager", "sales"),
        ("Kundenberaterin", "sales"),
        ("Vertriebsingenieur", "sales"),
        ("Marketing Referentin", "marketing"),
        ("Referent Unternehmenskommunikation", "marketing"),
        ("Personalreferent", "hr"),
        ("Recruiterin", "hr"),
        ("Buchhalterin", "finance"),
        ("Finanzbuchhalter", "finance"),
        ("Controller", "finance"),
        ("Einkäufer", "operations"),
        ("Sachbearbeiter Einkauf", "operations"),
        ("Jurist", "legal"),
        ("Syndikusrechtsanwältin", "legal"),
        ("Datenschutzbeauftragte", "legal"),
        ("Informationssicherheitsbeauftragter", "security"),
        ("IT-Security Consultant", "security"),
    ],
    "es": [
        ("Ingeniero de Software", "engineering"),
        ("Desarrollador Backend", "engineering"),
        ("Programador", "engineering"),
        ("Analista de Datos", "data"),
        ("Científico de Datos", "data"),
        ("Ejecutivo de Cuentas", "sales"),
        ("Ejecutiva Comercial", "sales"),
        ("Vendedor", "sales"),
        ("Asesor Comercial", "sales"),
        ("Representante de Ventas", "sales"),
        ("Analista Financiero", "finance"),
        ("Contador", "finance"),
        ("Auxiliar Contable", "finance"),
        ("Abogado", "legal"),
        ("Abogada Corporativa", "legal"),
        ("Reclutadora", "hr"),
        ("Analista de Recursos Humanos", "hr"),
        ("Técnico de Soporte", "it"),
        ("Administrador de Sistemas", "it"),
        ("Analista de Sistemas", "it"),
        ("Analista de Ciberseguridad", "security"),
        ("Especialista en Marketing Digital", "marketing"),
        ("Analista de Marketing", "marketing"),
        ("Comprador", "operations"),
        ("Analista de Compras", "operations"),
        ("Analista de Logística", "operations"),
    ],
    "pt": [
        ("Analista de Sistemas", "it"),
        ("Técnico de Suporte", "it"),
        ("Desenvolvedor Full Stack", "engineering"),
        ("Engenheiro de Software", "engineering"),
        ("Engenheira de Dados", "data"),
        ("Cientista de Dados", "data"),
        ("Analista de BI", "data"),
        ("Analista de Dados", "data"),
        ("Executivo de Contas", "sales"),
        ("Executiva de Vendas", "sales"),
        ("Consultor Comercial", "sales"),
        ("Vendedor", "sales"),
        ("Analista de Sucesso do Cliente", "sales"),
        ("Analista Financeiro", "finance"),
        ("Contador", "finance"),
        ("Analista Contábil", "finance"),
        ("Advogado", "legal"),
        ("Advogada Trabalhista", "legal"),
        ("Analista de RH", "hr"),
        ("Recrutadora", "hr"),
        ("Analista de Marketing", "marketing"),
        ("Analista de Segurança da Informação", "security"),
        ("Comprador", "operations"),
        ("Analista de Compras", "operations"),
        ("Analista de Logística", "operations"),
    ],
}

IC_PREFIXES: dict[str, list[str]] = {
    "en": ["", "", "Senior ", "Sr. ", "Sr ", "Junior ", "Jr. ", "Principal ", "Associate "],
    "fr": ["", "", "Senior ", "Junior "],
    "de": ["", "", "Senior ", "Junior "],
    "es": ["", "", "Senior ", "Junior "],
    "pt": ["", "", "Sênior ", "Júnior ", "Pleno "],
}
IC_SUFFIXES = ["", "", "", "", " II", " III", " 2", " (Remote)", ", EMEA"]

EXECUTIVES: dict[str, list[str]] = {
    "en": [
        "CEO",
        "Founder",
        "Co-Founder & CEO",
        "Owner",
        "President",
        "Managing Director",
        "Founder & President",
        "Co-owner",
        "Managing Partner",
        "Chairman",
        "President and CEO",
        "Founder/CEO",
        "Chief Executive",
    ],
    "fr": ["PDG", "Directeur Général", "Directrice Générale", "Président", "Fondateur", "Gérante"],
    "de": [
        "Geschäftsführer",
        "Inhaberin",
        "Gründer",
        "Vorstand",
        "Geschäftsführende Gesellschafterin",
    ],
    "es": ["Director General", "Fundadora", "Presidente", "Socio", "Gerente General", "CEO"],
    "pt": ["Diretor Geral", "Fundador", "Presidente", "Sócia", "Sócio-Fundador", "CEO"],
}

CHIEFS = [
    ("Chief Technology Officer", "engineering"),
    ("CTO", "engineering"),
    ("Chief Information Officer", "it"),
    ("CIO", "it"),
    ("Chief Information Security Officer", "security"),
    ("CISO", "security"),
    ("Chief Data Officer", "data"),
    ("Chief Analytics Officer", "data"),
    ("Chief Marketing Officer", "marketing"),
    ("CMO", "marketing"),
    ("Chief Revenue Officer", "sales"),
    ("Chief Sales Officer", "sales"),
    ("Chief Financial Officer", "finance"),
    ("CFO", "finance"),
    ("Chief People Officer", "hr"),
    ("CHRO", "hr"),
    ("Chief Operating Officer", "operations"),
    ("COO", "operations"),
    ("Chief Legal Officer", "legal"),
    ("Chief Compliance Officer", "legal"),
]

COMPANIES = [
    "Acme",
    "Globex",
    "Initech",
    "Umbrella Corp",
    "Hooli",
    "Stark Industries",
    "Wayne Enterprises",
    "Vandelay",
    "Soylent",
    "Contoso",
    "Fabrikam",
    "Northwind",
    "Siemens",
    "Telefónica",
    "Natura",
    "Ambev",
    "Bosch",
    "Allianz",
    "Capgemini",
    "Mercado Libre",
    "Itaú",
    "BNP Paribas",
]
NOISE_BEFORE = ["", "", "", "", "", "🚀 ", "✨ ", "| "]
PRONOUNS = [" (she/her)", " (he/him)", " (they/them)"]


def listed_rows(text: str, source: str) -> list[tuple[str, str, str, str, str]]:
    rows = []
    for line in text.strip().splitlines():
        title, language, seniority, function = line.rsplit("|", 3)
        rows.append((title, language, seniority, function, source))
    return rows


def generated_rows(rng: random.Random) -> list[tuple[str, str, str, str, str]]:
    rows: list[tuple[str, str, str, str, str]] = []
    weights = {"en": 520, "fr": 110, "de": 110, "es": 110, "pt": 110}
    for language, count in weights.items():
        for _ in range(count):
            rows.append((*_one(rng, language), "generated"))
    return rows


def _one(rng: random.Random, language: str) -> tuple[str, str, str, str]:
    pick = rng.random()
    if pick < 0.45:
        title, seniority, function = _leveled(rng, language)
    elif pick < 0.85:
        title, seniority, function = _individual(rng, language)
    elif pick < 0.93 or language != "en":
        title, seniority, function = rng.choice(EXECUTIVES[language]), C, "executive"
    else:
        title, function = rng.choice(CHIEFS)
        seniority = C
    return _roughen(rng, title, language), language, seniority, function


# "Product Manager", "Key Account Manager", "Responsable Grands Comptes" manage no one.
NOT_A_MANAGER_WITH = {
    "Product",
    "Key Accounts",
    "Strategic Accounts",
    "Customer Success",
    "Grands Comptes",
    "Key Account Management",
    "Cuentas Clave",
    "Grandes Contas",
}


def _leveled(rng: random.Random, language: str) -> tuple[str, str, str]:
    pattern, seniority = rng.choice(LEVELS[language])
    function = rng.choice(sorted(DOMAINS[language]))
    phrase = rng.choice(DOMAINS[language][function])
    while seniority == MGR and phrase in NOT_A_MANAGER_WITH:
        phrase = rng.choice(DOMAINS[language][function])
    if language == "en" and rng.random() < 0.08:
        other = rng.choice(sorted(set(DOMAINS[language]) - {function}))
        phrase = f"{phrase} & {rng.choice(DOMAINS[language][other])}"
    return pattern.format(f=phrase), seniority, function


def _individual(rng: random.Random, language: str) -> tuple[str, str, str]:
    role, function = rng.choice(ROLES[language])
    prefix = rng.choice(IC_PREFIXES[language])
    suffix = rng.choice(IC_SUFFIXES) if language == "en" else ""
    return f"{prefix}{role}{suffix}", IC, function


def _roughen(rng: random.Random, title: str, language: str) -> str:
    roll = rng.random()
    if roll < 0.12:
        title = f"{title} at {rng.choice(COMPANIES)}"
    elif roll < 0.18:
        title = f"{title} @ {rng.choice(COMPANIES)}"
    elif roll < 0.22:
        title = f"{title} | {rng.choice(COMPANIES)}"
    if language == "de" and rng.random() < 0.15:
        title += " (m/w/d)"
    if language == "en" and rng.random() < 0.04:
        title += rng.choice(PRONOUNS)
    title = rng.choice(NOISE_BEFORE) + title
    case = rng.random()
    if case < 0.06:
        title = title.upper()
    elif case < 0.14:
        title = title.lower()
    if rng.random() < 0.07:
        title = _typo(rng, title)
    return title


def _typo(rng: random.Random, title: str) -> str:
    words = title.split(" ")
    long_words = [i for i, w in enumerate(words) if len(w) >= 7 and w.isalpha()]
    if not long_words:
        return title
    i = rng.choice(long_words)
    word = words[i]
    at = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("drop", "swap", "double"))
    if kind == "drop":
        word = word[:at] + word[at + 1 :]
    elif kind == "swap":
        word = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    else:
        word = word[:at] + word[at] + word[at:]
    words[i] = word
    return " ".join(words)


def main() -> None:
    rng = random.Random(SEED)
    rows = listed_rows(CURATED, "curated") + listed_rows(HOLDOUT, "holdout") + generated_rows(rng)
    seen: set[str] = set()
    unique = []
    for row in rows:
        if row[0] not in seen:
            seen.add(row[0])
            unique.append(row)
    with OUT.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["title", "language", "seniority", "function", "source"])
        writer.writerows(unique)
    print(f"wrote {len(unique)} titles to {OUT}")


if __name__ == "__main__":
    main()
