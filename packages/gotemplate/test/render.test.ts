import { ErrorCode, SogomsError } from '@sogoms/protocol';
import { describe, expect, it } from 'vitest';
import { parseTemplate, renderTemplate } from '../src/index.js';

const r = (src: string, data: unknown, html = false): string => renderTemplate(src, data, { html });

describe('fields and dot', () => {
  it('prints top-level and nested fields', () => {
    expect(
      r('Bonjour {{.Name}} de {{.User.Team.Name}} !', { Name: 'Ana', User: { Team: { Name: 'Ops' } } }),
    ).toBe('Bonjour Ana de Ops !');
  });

  it('prints dot itself, numbers, booleans, arrays and maps like Go', () => {
    expect(r('{{.}}', 'plain')).toBe('plain');
    expect(
      r('{{.N}} {{.F}} {{.B}} {{.A}} {{.M}}', { N: 3, F: 1.5, B: false, A: [1, 'x'], M: { b: 2, a: 1 } }),
    ).toBe('3 1.5 false [1 x] map[a:1 b:2]');
  });

  it('prints a present null as an empty string, not an error', () => {
    expect(r('[{{.X}}]', { X: null })).toBe('[]');
  });

  it('supports string and number literals and comments', () => {
    expect(r('{{"a\\tb"}}{{`raw\\n`}}{{42}}{{/* a comment {{.Nope}} */}}!', {})).toBe('a\tbraw\\n42!');
  });
});

describe('if / else if / else', () => {
  const t = parseTemplate('{{if .A}}A{{else if .B}}B{{else if .C}}C{{else}}none{{end}}');
  it('takes the first true branch', () => {
    expect(renderTemplate(t, { A: 1, B: 1, C: 1 })).toBe('A');
    expect(renderTemplate(t, { A: 0, B: 'x', C: 1 })).toBe('B');
    expect(renderTemplate(t, { A: 0, B: '', C: [1] })).toBe('C');
  });

  it('uses Go truthiness: false, 0, nil, "", [] and {} are false', () => {
    for (const falsy of [false, 0, null, '', [], {}]) {
      expect(renderTemplate(t, { A: falsy, B: falsy, C: falsy }), JSON.stringify(falsy)).toBe('none');
    }
    for (const truthy of [true, 1, -1, 'x', '0', [0], { k: 0 }]) {
      expect(renderTemplate(t, { A: truthy, B: 0, C: 0 }), JSON.stringify(truthy)).toBe('A');
    }
  });

  it('works without else and nested', () => {
    expect(r('{{if .A}}a{{if .B}}b{{end}}{{end}}.', { A: true, B: false })).toBe('a.');
  });

  it('supports not/and/or/eq/ne/lt/len in conditions', () => {
    const d = { N: 3, S: 'x', L: [1, 2] };
    expect(r('{{if not .S}}1{{end}}{{if and .N .S}}2{{end}}{{if or 0 .N}}3{{end}}', d)).toBe('23');
    expect(r('{{if eq .N 1 2 3}}4{{end}}{{if ne .S "y"}}5{{end}}{{if lt .N 10}}6{{end}}{{len .L}}', d)).toBe(
      '4562',
    );
    expect(r('{{.S | print}}{{index .L 1}}{{if and (gt .N 1) (le .N 3)}}ok{{end}}', d)).toBe('x2ok');
  });

  it('short-circuits and/or so an unevaluated missing field is not an error', () => {
    expect(r('{{if and .Off .Missing}}x{{else}}y{{end}}', { Off: false })).toBe('y');
  });
});

describe('range', () => {
  const tasks = [
    { Title: 'Écrire', DueDate: '2025-12-16' },
    { Title: 'Relire', DueDate: '2025-12-17' },
  ];

  it('sets dot to each element and $ to the root data', () => {
    expect(
      r('{{range .Tasks}}[{{.Title}} {{.DueDate}} pour {{$.Name}}]{{end}}', { Name: 'Ana', Tasks: tasks }),
    ).toBe('[Écrire 2025-12-16 pour Ana][Relire 2025-12-17 pour Ana]');
  });

  it('runs else for an empty list or nil', () => {
    const t = parseTemplate('{{range .Tasks}}{{.}}{{else}}aucune{{end}}');
    expect(renderTemplate(t, { Tasks: [] })).toBe('aucune');
    expect(renderTemplate(t, { Tasks: null })).toBe('aucune');
    expect(renderTemplate(t, { Tasks: ['a', 'b'] })).toBe('ab');
  });

  it('ranges over a map by sorted key and nests', () => {
    expect(r('{{range .M}}{{.}}{{end}}', { M: { b: 2, a: 1 } })).toBe('12');
    expect(r('{{range .G}}{{range .}}{{.}}{{end}};{{end}}', { G: [[1, 2], [3]] })).toBe('12;3;');
  });

  it('refuses to range over a scalar', () => {
    expect(() => r('{{range .N}}x{{end}}', { N: 3 })).toThrow(/range can't iterate over 3/);
  });
});

describe('with', () => {
  it('sets dot when the value is true, else runs else', () => {
    const t = parseTemplate('{{with .User}}{{.Name}} ({{$.App}}){{else}}anonyme{{end}}');
    expect(renderTemplate(t, { App: 'prokov', User: { Name: 'Bo' } })).toBe('Bo (prokov)');
    expect(renderTemplate(t, { App: 'prokov', User: null })).toBe('anonyme');
  });
});

describe('trim markers', () => {
  it('{{- trims all whitespace before, -}} all whitespace after', () => {
    expect(r('a  \n\t {{- .X -}} \n\n b', { X: 'x' })).toBe('axb');
    expect(r('a {{- .X}} b', { X: 'x' })).toBe('ax b');
    expect(r('a {{.X -}} b', { X: 'x' })).toBe('a xb');
  });

  it('trims around block actions and comments, as in a typical e-mail list', () => {
    const src = 'Tâches :\n{{- range .Tasks}}\n- {{.Title}}\n{{- end}}\n{{/* fin */ -}}\nMerci';
    expect(r(src, { Tasks: [{ Title: 'A' }, { Title: 'B' }] })).toBe('Tâches :\n- A\n- B\nMerci');
  });

  it('does not treat -3 as a trim marker (Go requires a space after the dash)', () => {
    expect(r('a {{-3}} b', {})).toBe('a -3 b');
  });
});

describe('html mode', () => {
  it('escapes & < > " \' in printed values only', () => {
    const d = { Name: `<script>alert("x")</script> & 'co'` };
    expect(r('<p title="t">{{.Name}}</p>', d, true)).toBe(
      '<p title="t">&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#39;co&#39;</p>',
    );
    expect(r('<p>{{.Name}}</p>', d, false)).toBe(`<p>${d.Name}</p>`);
  });

  it('escapes inside range and with too', () => {
    expect(r('{{range .L}}{{.}}{{end}}', { L: ['<a>', '&'] }, true)).toBe('&lt;a&gt;&amp;');
  });
});

describe('missing fields (strict, like missingkey=error)', () => {
  const expectMissing = (fn: () => unknown, field: string): void => {
    let caught: unknown;
    try {
      fn();
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SogomsError);
    expect((caught as SogomsError).code).toBe(ErrorCode.TEMPLATE_ERROR);
    expect((caught as SogomsError).message).toContain(field);
    expect((caught as SogomsError).data).toEqual({ field });
  };

  it('throws TEMPLATE_ERROR naming the field', () => {
    expectMissing(() => r('Bonjour {{.Name}}', {}), '.Name');
    expectMissing(() => r('{{.User.Name}}', { User: {} }), '.User.Name');
    expectMissing(() => r('{{.User.Name}}', {}), '.User.Name');
    expectMissing(() => r('{{.User.Name}}', { User: null }), '.User.Name');
    expectMissing(() => r('{{range .Tasks}}{{.Title}}{{end}}', { Tasks: [{}] }), '.Title');
    expectMissing(() => r('{{$.Nope}}', {}), '$.Nope');
  });

  it('is an error in if conditions too', () => {
    expectMissing(() => r('{{if .Flag}}x{{end}}', {}), '.Flag');
  });

  it('accepts present keys with null, false or empty values', () => {
    expect(r('{{.A}}{{.B}}{{.C}}{{if .A}}x{{end}}', { A: null, B: false, C: '' })).toBe('false');
  });

  it('does not look up inherited properties', () => {
    expectMissing(() => r('{{.toString}}', {}), '.toString');
  });

  it('is all-or-nothing: nothing is returned when a late field is missing', () => {
    let out: string | undefined;
    expect(() => {
      out = r('{{.A}} lots of text {{.B}}', { A: 'a' });
    }).toThrow(SogomsError);
    expect(out).toBeUndefined();
  });
});

describe('caching', () => {
  it('renders a source string many times with different data', () => {
    for (let i = 0; i < 3; i++) expect(r('n={{.N}}', { N: i })).toBe(`n=${i}`);
  });
});
