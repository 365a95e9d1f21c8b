import { describe, expect, it } from 'vitest';
import { loadPlatformConfig } from '../src/index.js';
import { prokovTree } from './fixtures.js';
import { brief, makeTree, problemsOf } from './helpers.js';

/** `${NAME}` written without tripping the linter's template-string check. */
const v = (inner: string): string => '$' + `{${inner}}`;

/** Problems of the prokov tree with some files replaced. */
function problemsWith(files: Record<string, string>, env?: Record<string, string>): string[] {
  const dir = makeTree({ ...prokovTree(), ...files });
  return brief(
    problemsOf(() => loadPlatformConfig(dir, env ? { env } : undefined)),
    dir,
  );
}

describe('loadPlatformConfig problems', () => {
  it('reports schema problems of routes/{app}.yaml with their key paths, all at once', () => {
    expect(
      problemsWith({
        'routes/prokov.yaml': `
app: other
base_path: api
hosts: [prokov.example.com, "http://x.com", PROKOV.example.com]
trust_proxy: maybe
colour: blue
database:
  driver: postgres
  pool: 0
  query_timeout: fast
  password_file: secrets/db
  password: both
auth:
  jwt_secret_file: secrets/jwt
  bcrypt_cost: 20
  rate_limit: { login_per_ip: many, burst: 3 }
smtp:
  transport: file
  from: not-an-address
logs:
  retention_days: "30 days"
`,
      }),
    ).toEqual([
      'routes/prokov.yaml colour: unknown key (expected one of: app, version, base_path, hosts, trust_proxy, trusted_proxies, database, auth, smtp, logs, push, cors, errors)',
      'routes/prokov.yaml app: must equal the file name "prokov" (got "other")',
      'routes/prokov.yaml hosts[1]: not a host name (no scheme, port or path): "http://x.com"',
      'routes/prokov.yaml hosts[2]: duplicate host "prokov.example.com"',
      'routes/prokov.yaml base_path: expected a path starting with "/" (like /api)',
      'routes/prokov.yaml trust_proxy: expected true or false',
      'routes/prokov.yaml database.driver: expected one of: mysql, sqlite (got "postgres")',
      'routes/prokov.yaml database.user: is required',
      'routes/prokov.yaml database.password: set only one of password_file and password',
      'routes/prokov.yaml database.name: is required',
      'routes/prokov.yaml database.pool: must be between 1 and 1000 (got 0)',
      'routes/prokov.yaml database.query_timeout: expected a duration like 500ms, 10s, 1m, 24h or a number of seconds (got "fast")',
      'routes/prokov.yaml auth.rate_limit.burst: unknown key (expected one of: enabled, login_failures_per_email, login_failures_window, login_per_ip, login_per_ip_window, register_per_ip, register_per_ip_window, forgot_per_email, forgot_per_email_window, verify_per_email, verify_per_email_window)',
      'routes/prokov.yaml auth.bcrypt_cost: must be between 4 and 15 (got 20)',
      'routes/prokov.yaml auth.rate_limit.login_per_ip: expected an integer',
      'routes/prokov.yaml logs.retention_days: expected an integer',
      'routes/prokov.yaml smtp.from: expected an email address',
      'routes/prokov.yaml smtp.dir: is required',
    ]);
  });

  it('requires database and auth, a sqlite file, and reports a missing routes folder', () => {
    expect(
      problemsWith({
        'routes/prokov.yaml': 'hosts: [a.com]\n',
        'routes/two.yaml': 'hosts: []\ndatabase: { driver: sqlite }\nauth: {}\n',
      }),
    ).toEqual([
      'routes/prokov.yaml database: is required',
      'routes/prokov.yaml auth: is required (jwt_secret_file)',
      'routes/two.yaml hosts: must not be empty',
      'routes/two.yaml database.file: is required',
      'routes/two.yaml auth.jwt_secret_file: is required (or jwt_secret)',
    ]);
    const empty = makeTree();
    expect(
      brief(
        problemsOf(() => loadPlatformConfig(empty)),
        empty,
      ),
    ).toEqual(['routes : missing directory (one routes/{app}.yaml per application)']);
  });

  it('names the key and the path of a missing secret file', () => {
    const dir = makeTree({ ...prokovTree(), 'secrets/jwt': '' });
    expect(
      brief(
        problemsOf(() => loadPlatformConfig(dir)),
        dir,
      ),
    ).toEqual(['routes/prokov.yaml auth.jwt_secret_file: secret is empty']);
    expect(
      problemsWith({
        'routes/prokov.yaml': prokovTree()['routes/prokov.yaml']!.replace('secrets/jwt', '/nowhere/jwt'),
      }),
    ).toEqual(['routes/prokov.yaml auth.jwt_secret_file: cannot read secret file /nowhere/jwt (ENOENT)']);
  });

  it('reports a host used by two apps, naming the first app', () => {
    expect(
      problemsWith({
        'routes/zeta.yaml':
          'hosts: [LOCALHOST]\ndatabase: { driver: sqlite, file: z.db }\nauth: { jwt_secret: x }\n',
      }),
    ).toEqual(['routes/zeta.yaml hosts[0]: host "localhost" is already used by app "prokov"']);
  });

  it('reports a YAML syntax error with its line, and goes on with the other files', () => {
    const problems = problemsWith({
      'queries/prokov/tags.yaml': 'list:\n  query: SELECT 1\n   filters: {\n',
      'emails/prokov/welcome.yaml': 'subject: [unclosed\nbody: x\n',
    });
    // Each broken file is reported once, against itself: auth.yaml, which names both, is not blamed too.
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(
      /^emails\/prokov\/welcome\.yaml : YAML syntax error at line \d+, column \d+: /,
    );
    expect(problems[1]).toMatch(/^queries\/prokov\/tags\.yaml : YAML syntax error at line 3, column \d+: /);
  });

  it('checks table and column names are identifiers, and placeholders the gateway can supply', () => {
    expect(
      problemsWith({
        'queries/prokov/tasks.yaml': `
owner_field: "owner id"
list:
  query: SELECT * FROM tasks WHERE project_id = :project_id AND x = ':not_a_placeholder'
  filters:
    default: "user_id = :user_id"
    admin: "team_id = :team_id"
  order: "position = :pos"
  params:
    status: "status_id = :status_id"
    done: 1
    user_id: "user_id = :user_id"
    "bad name": "x = 1"
  sortable: [name, "name; DROP TABLE x", name]
  limit: { default: 600, max: 100 }
show:
  query: SELECT * FROM tasks WHERE id = :id AND :email = email AND :pid = 1
  filters:
    admin: ""
  order: name
create:
  table: "tasks; --"
  fields: [name, "na me"]
  filters: { default: "" }
update:
  table: tasks
  fields: []
  filters:
    default: "user_id = :user_id AND id = :id AND role = :role AND p = :project_id"
delete:
  fields: [name]
  filters: { default: "user_id = :user_id", "ad min": "" }
`,
      }),
    ).toEqual([
      'queries/prokov/tasks.yaml owner_field: not an identifier (letters, digits, _): "owner id"',
      'queries/prokov/tasks.yaml list.query: placeholder :project_id cannot be supplied here (allowed: :user_id, :role, :email)',
      'queries/prokov/tasks.yaml list.filters.admin: placeholder :team_id cannot be supplied here (allowed: :user_id, :role, :email)',
      'queries/prokov/tasks.yaml list.order: placeholder :pos cannot be supplied here (allowed: none)',
      'queries/prokov/tasks.yaml list.params.status: placeholder :status_id cannot be supplied here (allowed: :user_id, :role, :email, :status)',
      'queries/prokov/tasks.yaml list.params.status: condition must use its own placeholder :status',
      'queries/prokov/tasks.yaml list.params.done: expected an SQL condition (a string)',
      'queries/prokov/tasks.yaml list.params.user_id: "user_id" is reserved (id, limit, offset, sort, after, fields, count, expand, filter, user_id, role, email, names starting with "_")',
      'queries/prokov/tasks.yaml list.params.bad name: parameter names are identifiers (letters, digits, _)',
      'queries/prokov/tasks.yaml list.sortable[1]: not an identifier (letters, digits, _): "name; DROP TABLE x"',
      'queries/prokov/tasks.yaml list.sortable[2]: "name" is listed twice',
      'queries/prokov/tasks.yaml list.limit.default: must not exceed max (100)',
      'queries/prokov/tasks.yaml show.order: unknown key (expected one of: query, filters)',
      'queries/prokov/tasks.yaml show.query: placeholder :pid cannot be supplied here (allowed: :id, :user_id, :role, :email)',
      'queries/prokov/tasks.yaml show.filters: needs a `default` entry (used for every role without its own)',
      'queries/prokov/tasks.yaml create.filters: unknown key (expected one of: table, fields, references)',
      'queries/prokov/tasks.yaml create.table: not an identifier (letters, digits, _): "tasks; --"',
      'queries/prokov/tasks.yaml create.fields[1]: not an identifier (letters, digits, _): "na me"',
      'queries/prokov/tasks.yaml update.fields: must not be empty',
      'queries/prokov/tasks.yaml update.filters.default: placeholder :project_id cannot be supplied here (allowed: :id, :user_id, :role, :email)',
      'queries/prokov/tasks.yaml delete.fields: unknown key (expected one of: table, filters)',
      'queries/prokov/tasks.yaml delete.table: is required',
      'queries/prokov/tasks.yaml delete.filters.ad min: role names use letters, digits, "_" and "-" only',
    ]);
  });

  it('cross-checks auth.yaml against resources and email templates', () => {
    expect(
      problemsWith({
        'queries/prokov/notes.yaml':
          'show: { query: "SELECT * FROM notes WHERE id = :id", filters: { default: "" } }\n',
        'queries/prokov/auth.yaml': `
login:
  query: SELECT * FROM users WHERE id = :user_id
  include: [projects, ghosts, notes]
register:
  table: users
  fields: [name, role, password]
  welcome_email: bienvenue
me:
  query: SELECT * FROM users WHERE id = :id
password_reset:
  template: reset
  url: "https://x/reset?token={{.Token"
extra: 1
`,
      }),
    ).toEqual([
      'queries/prokov/auth.yaml extra: unknown key (expected one of: login, register, me, password_reset, email_verification)',
      'queries/prokov/auth.yaml login.query: placeholder :user_id cannot be supplied here (allowed: :email)',
      'queries/prokov/auth.yaml login.query: must select the user by :email',
      'queries/prokov/auth.yaml login.include[1]: no resource "ghosts" (no queries file of that name)',
      'queries/prokov/auth.yaml login.include[2]: resource "notes" has no list section',
      'queries/prokov/auth.yaml register.fields: must include email',
      'queries/prokov/auth.yaml register.fields[1]: "role" cannot be taken from a registration body',
      'queries/prokov/auth.yaml me.query: placeholder :id cannot be supplied here (allowed: :user_id, :role, :email)',
      'queries/prokov/auth.yaml register.welcome_email: no email template "bienvenue" (no emails file of that name)',
      'queries/prokov/auth.yaml password_reset.update: is required',
      'queries/prokov/auth.yaml password_reset.template: no email template "reset" (no emails file of that name)',
      'queries/prokov/auth.yaml password_reset.url: template syntax error at line 1, column 23: unclosed action',
    ]);
  });

  it('cross-checks create/update references against the app’s resources', () => {
    expect(
      problemsWith({
        'queries/prokov/notes.yaml': 'list: { query: "SELECT * FROM notes", filters: { default: "" } }\n',
        'queries/prokov/mine.yaml':
          'show: { query: "SELECT id FROM users WHERE id = :user_id", filters: { default: "" } }\n',
        'queries/prokov/broken.yaml': 'show: [\n',
        'queries/prokov/links.yaml': `
create:
  table: links
  fields: [project_id, note_id, ghost_id, label, mine_id, broken_id]
  references:
    { project_id: projects, note_id: notes, ghost_id: ghosts, other_id: projects, label: "x y", mine_id: mine, broken_id: broken }
update:
  table: links
  fields: [project_id]
  references: [project_id]
  filters: { default: "user_id = :user_id" }
`,
      }),
    ).toEqual([
      // Its own syntax error only: a reference to it (broken_id) is not reported again as a missing resource.
      'queries/prokov/broken.yaml : YAML syntax error at line 2, column 1: unexpected end of the stream within a flow collection',
      'queries/prokov/links.yaml create.references.other_id: is not one of `fields`',
      'queries/prokov/links.yaml create.references.label: expected the name of a resource of this app (its file name without .yaml)',
      'queries/prokov/links.yaml update.references: expected a mapping',
      'queries/prokov/links.yaml create.references.note_id: resource "notes" has no show section to look ids up with',
      'queries/prokov/links.yaml create.references.ghost_id: no resource "ghosts" in this app',
      'queries/prokov/links.yaml create.references.mine_id: the show query of "mine" does not select its row by :id',
    ]);
  });

  it('reports email template syntax errors under subject, body and body_html', () => {
    const problems = problemsWith({
      'emails/prokov/welcome.yaml': `
subject: "Hi {{.Name"
body: "{{if .X}}no end"
body_html: "{{range .Tasks}}"
cc: someone
`,
      'emails/prokov/empty.yaml': '',
    });
    expect(problems).toEqual([
      'emails/prokov/empty.yaml subject: is required',
      'emails/prokov/empty.yaml body: is required',
      'emails/prokov/welcome.yaml cc: unknown key (expected one of: subject, body, body_html)',
      expect.stringMatching(
        /^emails\/prokov\/welcome\.yaml subject: template syntax error at line 1, column \d+: ./,
      ),
      expect.stringMatching(
        /^emails\/prokov\/welcome\.yaml body: template syntax error at line 1, column \d+: ./,
      ),
      expect.stringMatching(
        /^emails\/prokov\/welcome\.yaml body_html: template syntax error at line 1, column \d+: ./,
      ),
    ]);
  });

  it('names an unset environment variable with its file and key path', () => {
    expect(
      problemsWith(
        {
          'routes/prokov.yaml': prokovTree()['routes/prokov.yaml']!.replace('mail', v('MAIL_DIR')),
          'queries/prokov/tags.yaml': `list:\n  query: "SELECT * FROM ${v('TAGS_TABLE:-tags')}"\n  filters: { default: "${v('NOPE')}" }\n`,
        },
        {},
      ),
    ).toEqual([
      `routes/prokov.yaml smtp.dir: environment variable MAIL_DIR is not set (use ${v('MAIL_DIR:-default')} for a default)`,
      `queries/prokov/tags.yaml list.filters.default: environment variable NOPE is not set (use ${v('NOPE:-default')} for a default)`,
    ]);
  });
});
