export { RedisLiveHub } from './hub.js';
export { type ResumeOptions, resumeLive } from './resume.js';
