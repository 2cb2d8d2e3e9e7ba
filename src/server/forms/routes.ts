import { z } from 'zod';
import type { App, AppContext } from '../platform/http.ts';
import { actorOf } from '../platform/http.ts';
import { ADMINS, OFFICES, STAFF } from '../platform/scope.ts';
import * as service from './service.ts';
import {
  actionResult, approveBody, draftBody, formIdParam, formView, listQuery, listResponse, myFormResponse, opinionsBody, phraseBody, phraseIdParam,
  phraseList, phraseRow, returnBody,
} from './schema.ts';

const tags = ['毕业生登记表'];

export function formRoutes(app: App, { database }: AppContext) {
  const db = database.db;

  // ——— The student (seed 000 二) ———
  app.get('/api/me/graduate-form', {
    config: { access: ['student'] },
    schema: { tags, summary: '我的毕业生登记表（身份、专业、学习时间、照片取自学籍）', response: { 200: myFormResponse } },
  }, (req) => service.myForm(db, actorOf(req)));

  app.put('/api/me/graduate-form/draft', {
    config: { access: ['student'] },
    schema: { tags, summary: '保存草稿（学生未填写或被退回时）', body: draftBody, response: { 200: myFormResponse } },
  }, (req) => service.saveMyForm(db, actorOf(req), req.body, false));

  app.post('/api/me/graduate-form/submit', {
    config: { access: ['student'] },
    schema: { tags, summary: '提交登记表（填写时间内；提交后锁定，教学点退回后可再修改）', body: draftBody, response: { 200: myFormResponse } },
  }, (req) => service.saveMyForm(db, actorOf(req), req.body, true));

  // ——— 毕业 → 毕业管理 → 毕业生登记表管理 (seed 000 四) ———
  app.get('/api/graduate-forms', {
    config: { access: STAFF },
    schema: { tags, summary: '查询：毕业批次（含“无”）、函授站代码、登记表状态、专业、班级', querystring: listQuery, response: { 200: listResponse } },
  }, (req) => service.list(db, actorOf(req), req.query));

  app.get('/api/graduate-forms/phrases', {
    config: { access: STAFF },
    schema: { tags, summary: '常用意见（本单位及上级单位的）', response: { 200: phraseList } },
  }, (req) => service.phrases(db, actorOf(req)));

  app.post('/api/graduate-forms/phrases', {
    config: { access: OFFICES },
    schema: { tags, summary: '新增常用意见', body: phraseBody, response: { 200: phraseRow } },
  }, (req) => service.addPhrase(db, actorOf(req), req.body));

  app.delete('/api/graduate-forms/phrases/:id', {
    config: { access: OFFICES },
    schema: { tags, summary: '删除常用意见（本单位及下级单位的）', params: phraseIdParam, response: { 200: z.object({ deleted: z.number() }) } },
  }, (req) => service.deletePhrase(db, actorOf(req), req.params.id));

  app.get('/api/graduate-forms/:id', {
    config: { access: 'any' },
    schema: { tags, summary: '一名毕业生的登记表（身份证号完整显示；学生只能看到自己的）', params: formIdParam, response: { 200: formView } },
  }, (req) => service.one(db, actorOf(req), req.params.id));

  app.post('/api/graduate-forms/opinions', {
    config: { access: ['tp_admin', 'head_teacher'] },
    schema: { tags, summary: '填写意见：班主任意见、函授站意见（批量，每人可不同；班主任只能填写本班的班主任意见）', body: opinionsBody, response: { 200: actionResult } },
  }, (req) => service.writeOpinions(db, actorOf(req), req.body.items));

  app.post('/api/graduate-forms/approve', {
    config: { access: ADMINS },
    schema: { tags, summary: '填写学校意见（批量）：登记表状态改为“总部已填写”，归入毕业批次', body: approveBody, response: { 200: actionResult } },
  }, (req) => service.approve(db, actorOf(req), req.body.items));

  app.post('/api/graduate-forms/return', {
    config: { access: OFFICES },
    schema: { tags, summary: '退回学生修改（须填写原因）', body: returnBody, response: { 200: actionResult } },
  }, (req) => service.sendBack(db, actorOf(req), req.body.items, req.body.reason));
}
