import { describe, expect, it } from 'vitest';
import { actorName, auditSentence, entryName, type SentenceWords } from './audit-sentence.ts';

const zh: SentenceWords = {
  system: '系统',
  did: (action) => ({ create: '新建了', update: '修改了', login: '登录了系统', seed: '生成了演示数据' })[action] ?? '操作了',
  entity: (entity) => ({ zone: '责任区', user: '用户', session: '会话', demo: '演示数据' })[entity] ?? '对象',
  sentence: ({ actor, did, entity, name }) => `${actor} ${did}${entity} ${name}`,
  bare: ({ actor, did }) => `${actor} ${did}`,
};
const entry = { actor: 'zhangsan', actorName: '张三', entityId: '9', before: null, after: null };

describe('audit entries as sentences', () => {
  it('names the actor, the verb, the object and its name', () => {
    expect(auditSentence({ ...entry, action: 'create', entity: 'zone', after: { name: '三多社区第9网格', areaM2: 12 } }, zh))
      .toBe('张三 新建了责任区 三多社区第9网格');
    expect(auditSentence({ ...entry, action: 'update', entity: 'user', before: { username: 'li' }, after: { displayName: '李四' } }, zh))
      .toBe('张三 修改了用户 李四');
  });

  it('says nothing of an object when the action is about the actor alone', () => {
    expect(auditSentence({ ...entry, action: 'login', entity: 'session' }, zh)).toBe('张三 登录了系统');
    expect(auditSentence({ actor: 'seed', action: 'seed', entity: 'demo', entityId: '20261122', before: null, after: { zones: { gaps: ['river bank'] } } }, zh))
      .toBe('系统 生成了演示数据');
  });

  it('falls back to the username, then the system; to the id where the record has no name', () => {
    expect(actorName({ actor: 'li', actorName: null }, '系统')).toBe('li');
    expect(actorName({ actor: null }, '系统')).toBe('系统');
    expect(entryName({ entityId: '42', before: null, after: { areaM2: 5 } })).toBe('#42');
    expect(entryName({ entityId: null, before: null, after: null })).toBe('');
    expect(auditSentence({ ...entry, action: 'frobnicate', entity: 'widget', entityId: null }, zh)).toBe('张三 操作了对象');
  });
});
