// Wipes the services' state in MongoDB (databases named medvault_*) and Redis, for a stack whose
// AWS emulator was restarted: LocalStack keeps S3 objects and KMS keys in memory only, so records that
// point at them (files, signed audit checkpoints) would otherwise outlive what they refer to.
// Local stack only: refuses anything but loopback addresses.
import { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';

const mongoUrl = process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017/medvault';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
for (const u of [mongoUrl, redisUrl]) {
  if (!/^[a-z]+:\/\/(127\.0\.0\.1|localhost)[:/]/.test(u)) throw new Error(`reset-state: refusing non-local ${u}`);
}
const mongo = new MongoClient(mongoUrl, { retryWrites: false, serverSelectionTimeoutMS: 5000 });
const { databases } = await mongo.db('admin').admin().listDatabases();
const dropped = [];
for (const { name } of databases) {
  if (name.startsWith('medvault_')) {
    await mongo.db(name).dropDatabase();
    dropped.push(name);
  }
}
await mongo.close();
const redis = new Redis(redisUrl);
await redis.flushdb();
redis.disconnect();
console.log(`reset-state: dropped ${dropped.length} databases, flushed redis`);
