// Creates the pipeline's own MongoDB user (readWrite on the serving database only).
// The mongo image runs this once, as the root user, when the data volume is empty
// (/docker-entrypoint-initdb.d); later password changes go through mongosh.
const password = process.env.MONGO_APP_PASSWORD;
const database = process.env.MONGO_DATABASE || "tmdb";
if (!password) {
  throw new Error("MONGO_APP_PASSWORD is not set (deploy/.env)");
}
db.getSiblingDB("admin").createUser({
  user: "tmdb",
  pwd: password,
  roles: [{ role: "readWrite", db: database }],
});
