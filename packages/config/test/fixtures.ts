// A complete, valid config tree in the shape of the prokov demo; tests override single files to break them.

export const JWT_SECRET = 'jwt-Sup3r-s3cret-value-0123456789';
export const DB_PASSWORD = 'db-Pa55word-never-shown';

export function prokovTree(): Record<string, string> {
  return {
    'secrets/jwt': `${JWT_SECRET}\n`,
    'secrets/db': `${DB_PASSWORD}\r\n`,
    'routes/prokov.yaml': `
app: prokov
version: "1.0"
hosts: [Prokov.Example.com, localhost]
database:
  driver: sqlite
  file: ../data/prokov.db
  password_file: secrets/db
auth:
  jwt_secret_file: secrets/jwt
smtp:
  transport: file
  dir: mail
  from: noreply@example.com
  from_name: Prokov
`,
    'queries/prokov/auth.yaml': `
login:
  query: SELECT id, email, name, password, role FROM users WHERE email = :email
  include: [projects, tags]
register:
  table: users
  fields: [email, password, name]
  welcome_email: welcome
me:
  query: SELECT id, email, name, role FROM users WHERE id = :user_id
password_reset:
  template: password_reset
  url: "https://prokov.example.com/reset?token={{.Token}}"
  update: { table: users }
`,
    'queries/prokov/projects.yaml': `
list:
  query: >
    SELECT id, name, description FROM projects
  filters:
    default: "user_id = :user_id"
    admin: ""
  order: "position ASC"
  params:
    status_id: "status_id = :status_id"
    archived:
  sortable: [name, position]
show:
  query: SELECT id, name, description FROM projects WHERE id = :id
  filters:
    default: "user_id = :user_id"
    admin:
create:
  table: projects
  fields: [user_id, name, description, position]
update:
  table: projects
  fields: [name, description, position]
  filters:
    default: "user_id = :user_id"
    admin: ""
delete:
  table: projects
  filters:
    default: "user_id = :user_id"
    admin: ""
`,
    'queries/prokov/tags.yaml': `
owner_field: owner_id
list:
  query: SELECT id, name FROM tags
  filters: { default: "owner_id = :user_id" }
  limit: { default: 20, max: 100 }
`,
    'emails/prokov/welcome.yaml': `
subject: "Bienvenue {{.Name}} !"
body: |
  Bonjour {{.Name}},
body_html: |
  <h1>Bienvenue {{.Name}} !</h1>
`,
    'emails/prokov/password_reset.yaml': `
subject: Réinitialisation
body: "Lien : {{.URL}}"
`,
  };
}
